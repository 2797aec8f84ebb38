"""The energy control loop: on every session event and at least every few minutes, allocate the
site's power to its open sessions and install the result as charging profiles through the CSMS
API, then read back what each charger will do (GetCompositeSchedule) to verify it.

Talks to the CSMS only through its HTTP client. It never raises on a lost CSMS or a silent
charger: each charger's outcome is reported, and the leases of ``models.energy.profiles`` bring
every charger back to its fallback if nothing renews them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from csms_lite.client import Unreachable
from csms_lite.client.aio import AsyncCsmsClient
from models.energy import profiles as p
from models.energy.fallback import fallback_kw
from models.energy.sessions import OpenSession
from models.energy.site import Site

Allocate = Callable[[Site, Sequence[OpenSession]], Mapping[str, float]]
REQUESTER = "energy"  # the lake's requested_by names the loop's commands
DEFAULT_LEASE_S = 600.0  # two decisions at the slowest rate (every 5 minutes)
VERIFY_TOLERANCE_W = 1.0


@dataclass(frozen=True)
class Port:
    """Where a site's charger is reached: its OCPP version and the connector/EVSE in use."""

    version: str
    port: int = 1
    transaction_id: str | None = None  # the running transaction (needed by 2.0.1 TxProfile)


@dataclass(frozen=True)
class Outcome:
    charger_id: str
    kind: str  # "fallback", "hold" or "allocation"
    allocated_w: float
    status: str  # the charger's answer ("Accepted"...), or offline/timeout/unreachable
    verified: bool  # the composite schedule now starts at or below the allocated power


def ports_from_api(chargers: Sequence[Mapping[str, Any]]) -> dict[str, Port]:
    """Each connected charger's version and its first open transaction, from the CSMS's
    ``GET /api/v1/chargers``."""
    out = {}
    for c in chargers:
        version = p.V201 if str(c.get("ocpp_version", "")).startswith("2") else p.V16
        txs = c.get("open_transactions") or []
        if txs:
            t = txs[0]
            port = int(t.get("evse_id") or t.get("connector_id") or 1)
            out[str(c["charge_point_id"])] = Port(version, port, str(t["transaction_id"]))
        else:
            out[str(c["charge_point_id"])] = Port(version)
    return out


class EnergyLoop:
    def __init__(self, client: AsyncCsmsClient, site: Site, allocate: Allocate,
                 lease_s: float = DEFAULT_LEASE_S, clock: Callable[[], float] = time.time) -> None:
        self.client, self.site, self.allocate = client, site, allocate
        self.lease_s, self.clock = lease_s, clock
        self.fallback_kw = fallback_kw(site)

    async def install_fallbacks(self, ports: Mapping[str, Port]) -> list[Outcome]:
        out = []
        for cid in self.site.chargers:
            if cid not in ports:
                continue
            watts = self.fallback_kw[cid] * 1000.0
            version = ports[cid].version
            prof = p.profile(version, "TxDefaultProfile", p.FALLBACK_ID, 0, watts, self.clock())
            out.append(await self._install(cid, "fallback", ports[cid], 0, prof, watts,
                                           verify=False))
        return out

    async def decide(self, sessions: Sequence[OpenSession],
                     ports: Mapping[str, Port]) -> list[Outcome]:
        """One decision: allocate, then install and verify on every charger of the site."""
        rates = self.allocate(self.site, sessions) if sessions else {}
        by_charger = {s.charger_id: rates[s.id] for s in sessions}
        now, out = self.clock(), []
        for cid in self.site.chargers:
            port = ports.get(cid)
            if port is None:
                continue
            if cid in by_charger:
                watts = by_charger[cid] * 1000.0
                prof = p.profile(port.version, "TxProfile", p.ALLOCATION_ID, 1, watts, now,
                                 self.lease_s, port.transaction_id)
                out.append(await self._install(cid, "allocation", port, port.port, prof, watts))
            else:
                prof = p.profile(port.version, "TxDefaultProfile", p.HOLD_ID, 1, 0.0, now,
                                 self.lease_s)
                out.append(await self._install(cid, "hold", port, port.port, prof, 0.0))
        return out

    async def _install(self, cid: str, kind: str, port: Port, at: int, prof: dict[str, Any],
                       watts: float, verify: bool = True) -> Outcome:
        params = {**p.target(port.version, at), "profile": prof}
        try:
            answer = await self.client.command(cid, "set_charging_profile", params,
                                               reason=f"energy {kind}")
        except Unreachable:
            return Outcome(cid, kind, watts, "unreachable", False)
        status = answer.status or answer.kind
        if status != "Accepted" or not verify:
            return Outcome(cid, kind, watts, status, False)
        return Outcome(cid, kind, watts, status, await self._verify(cid, port, watts))

    async def _verify(self, cid: str, port: Port, watts: float) -> bool:
        params = {**p.target(port.version, port.port), "duration": int(self.lease_s),
                  "charging_rate_unit": "W"}
        try:
            answer = await self.client.command(cid, "get_composite_schedule", params,
                                               reason="energy verify")
        except Unreachable:
            return False
        first = first_limit_w(answer.raw.get("response"))
        return first is not None and first <= watts + VERIFY_TOLERANCE_W


def first_limit_w(response: Any) -> float | None:
    """The limit of the first period of a GetCompositeSchedule answer (1.6 or 2.0.1)."""
    if not isinstance(response, dict):
        return None
    schedule: Any = response.get("chargingSchedule") or response.get("schedule")
    try:
        return float(schedule["chargingSchedulePeriod"][0]["limit"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
