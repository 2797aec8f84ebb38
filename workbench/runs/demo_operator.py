"""The demo's operator: on the first simulated day, half a day in, tries a few commands through
the CSMS's HTTP API on one charger of each OCPP version, as a person at the dashboard would.
Faulted chargers are the self-healing loop's job (``workbench.runs.sim_healing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csms_lite.client import AsyncCsmsClient
from workbench.runs.sim_csms import SimCsms

Say = Callable[[str], None]
DAY = 86400.0
# the first port, as each version's commands name it (2.0.1: the EVSE)
PORT: dict[str, dict[str, Any]] = {"1.6": {"connector_id": 1}, "2.0.1": {"evse_id": 1}}
SHOWCASE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("trigger_message", {"message": "StatusNotification"}),
    ("change_availability", {"port": True, "available": False}),
    ("change_availability", {"port": True, "available": True}),
)


class DemoOperator:
    def __init__(self, start: float, say: Say) -> None:
        self.start, self.say = start, say
        self.tour_at: float | None = start + DAY / 2
        self.answers: dict[str, int] = {}

    async def __call__(self, t: float, csms: SimCsms) -> None:
        if self.tour_at is None or t < self.tour_at:
            return
        self.tour_at = None
        async with AsyncCsmsClient(csms.api_url, csms.server.api.token, timeout_s=60.0) as http:
            await self._showcase(http, await http.chargers())

    async def _showcase(self, http: AsyncCsmsClient, chargers: list[dict[str, Any]]) -> None:
        for version in ("1.6", "2.0.1"):
            pick = next(
                (
                    c
                    for c in chargers
                    if c["connected"]
                    and c["ocpp_version"] == version
                    and not c["open_transactions"]
                ),
                None,
            )
            if pick is None:
                continue
            for command, params in SHOWCASE:
                sent = {k: v for k, v in params.items() if k != "port"}
                if params.get("port"):  # on the first port
                    sent |= PORT[version]
                await self._send(http, pick["charge_point_id"], command, sent, "demo tour")

    async def _send(
        self,
        http: AsyncCsmsClient,
        cp_id: str,
        command: str,
        params: dict[str, Any],
        why: str,
    ) -> None:
        answer = await http.command(
            cp_id, command, params, requested_by="operator", reason=f"cpo demo: {why}"
        )
        status = answer.status or answer.outcome or answer.error
        key = f"{command} {status}"
        self.answers[key] = self.answers.get(key, 0) + 1
        self.say(f"  operator: {command} {params or ''} -> {cp_id}: {status} ({why})")
