"""The live state the policy needs, parsed from the CSMS API's ``GET /api/v1/chargers``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DELIVERING_STATES = {"Charging"}  # 1.6 connector status / 2.0.1 chargingState
CURABLE_CODES = {  # codes a reset usually cures (firmware, lock, comms); not hardware ones
    "InternalError",
    "ConnectorLockFailure",
    "OtherError",
    "EVCommunicationError",
    "ReaderFailure",
    "WeakSignal",
    "NoError",
    None,
}


@dataclass(frozen=True)
class Port:
    connector: str  # "1" (1.6 connector) or "1/2" (2.0.1 EVSE 1, connector 2)
    status: str
    error_code: str | None
    since: float

    @property
    def place(self) -> str:
        """Where a session runs: the 1.6 connector or the 2.0.1 EVSE."""
        return self.connector.split("/")[0]


@dataclass(frozen=True)
class Session:
    transaction_id: str
    place: int | None  # the 1.6 connector or the 2.0.1 EVSE it runs on (see Port.place)
    charging_state: str | None

    @property
    def delivering(self) -> bool:
        # Unknown counts as delivering: never risk cutting a charge we cannot see.
        return self.charging_state is None or self.charging_state in DELIVERING_STATES


@dataclass(frozen=True)
class ChargerView:
    charge_point_id: str
    connected: bool
    connected_since: float | None
    last_seen: float | None
    offline_since: float | None
    heartbeat_interval: int
    ports: tuple[Port, ...]
    sessions: tuple[Session, ...]

    @property
    def delivering_energy(self) -> bool:
        return any(s.delivering for s in self.sessions)

    def faulted_ports(self) -> list[Port]:
        return [p for p in self.ports if p.status == "Faulted"]

    def sessions_in_progress(self) -> list[Session]:
        """Open sessions on a port that is not Faulted: a fault already cut its own port's
        session, but a reset would also end a paused one (SuspendedEV) next to it."""
        faulted = {p.place for p in self.faulted_ports()}
        return [s for s in self.sessions if str(s.place) not in faulted]

    def silent(self, now: float, tolerance: float) -> bool:
        """Connected (the socket is open) but nothing received for too long."""
        return (
            self.connected
            and self.last_seen is not None
            and now - self.last_seen > self.heartbeat_interval * tolerance
        )


def parse(chargers: list[dict[str, Any]]) -> list[ChargerView]:
    out = []
    for c in chargers:
        ports = tuple(
            Port(k, v.get("status", ""), v.get("error_code"), float(v.get("at") or 0.0))
            for k, v in (c.get("connectors") or {}).items()
        )
        sessions = tuple(
            Session(
                str(t["transaction_id"]),
                t["evse_id"] if t.get("evse_id") is not None else t.get("connector_id"),
                t.get("charging_state"),
            )
            for t in c.get("open_transactions") or []
        )
        out.append(
            ChargerView(
                c["charge_point_id"],
                bool(c.get("connected")),
                c.get("connected_since"),
                c.get("last_seen"),
                c.get("offline_since"),
                int(c.get("heartbeat_interval") or 300),
                ports,
                sessions,
            )
        )
    return out
