"""Counting the CALLs a simulated charger sends, for progress lines and benchmarks."""

from __future__ import annotations

from typing import Any


class CountsCalls:
    """Mix in before the ``ocpp`` ChargePoint class: ``class X(CountsCalls, ChargePoint)``."""

    calls = 0  # CALLs sent over this link

    async def call(self, payload: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return await super().call(payload, *args, **kwargs)  # type: ignore[misc]
