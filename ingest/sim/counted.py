"""Counting the CALLs a simulated charger sends, for progress lines and benchmarks."""

from __future__ import annotations

from typing import Any


class CountsCalls:
    """Mix in before the ``ocpp`` ChargePoint class: ``class X(CountsCalls, ChargePoint)``."""

    calls = 0  # CALLs sent over this link
    # False: a CALLERROR answer raises ocpp's OCPPError (its description names what was wrong)
    # instead of returning None; a replay reports it, a simulation carries on.
    suppress_call_errors = True

    async def call(self, payload: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if not self.suppress_call_errors:
            kwargs["suppress"] = False
        return await super().call(payload, *args, **kwargs)  # type: ignore[misc]
