"""Live state the CSMS keeps to serve: per charger, what it last said. Everything here can be
rebuilt from the lake; nothing downstream reads it except the live-state API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csms_lite.security.state import SecurityState


@dataclass(slots=True)
class ConnectorState:
    status: str
    error_code: str | None
    at: float  # server time of the StatusNotification
    info: str | None = None


@dataclass(slots=True)
class TransactionState:
    transaction_id: str
    connector_id: int | None
    evse_id: int | None
    id_tag: str | None
    started_at: float  # server time
    meter_start_wh: float | None = None
    last_seq_no: int | None = None
    seq_gaps: int = 0
    # 2.0.1 transactionInfo.chargingState (Charging, SuspendedEV, SuspendedEVSE, EVConnected,
    # Idle); for 1.6 the connector's status says it. None: not reported yet.
    charging_state: str | None = None


@dataclass(slots=True)
class ReservationState:
    """A reservation the charger accepted (ReserveNow), until it is cancelled, used by a
    transaction, reported expired or removed by the charger, or its expiry passes."""

    reservation_id: int
    port: str  # connector_key; "0": any port of the charger
    id_tag: str
    expires_at: float  # epoch seconds


@dataclass(slots=True)
class InstalledProfile:
    """A charging profile the charger accepted (csms_lite.commands.installed_profiles), until
    it is replaced or cleared, or (a TxProfile) its transaction ends."""

    profile_id: int
    port: str  # the 1.6 connector or 2.0.1 EVSE; "0": the whole charger
    purpose: str
    stack_level: int
    transaction_id: str | None  # a TxProfile's transaction
    profile: dict[str, Any]  # as sent
    installed_at: float  # epoch seconds

    def to_json(self) -> dict[str, Any]:
        return {"profile_id": self.profile_id, "port": self.port, "purpose": self.purpose,
                "stack_level": self.stack_level, "transaction_id": self.transaction_id,
                "installed_at": self.installed_at, "profile": self.profile}


@dataclass(slots=True)
class FileJob:
    """A firmware update or a diagnostics/log upload the CSMS asked for, from the charger's
    answer through its status notifications to a final state (see csms_lite.files.jobs)."""

    kind: str  # "firmware" or "diagnostics"
    action: str  # UpdateFirmware, GetDiagnostics, GetLog
    command_id: str | None  # None: a notification no command of ours started
    request_id: int | None  # 2.0.1 requestId (1.6 has none)
    location: str | None
    requested_at: float
    answer: str | None = None  # the charger's answer status (1.6: Accepted, its empty answer)
    file_name: str | None = None  # the file the charger said it would upload
    status: str | None = None  # the last status notified
    status_at: float | None = None
    final: bool = False  # the job ended (done, failed or refused)
    history: list[tuple[float, str]] = field(default_factory=list)
    downloads: int = 0  # firmware: times the charger fetched the image from us
    uploads: list[dict[str, Any]] = field(default_factory=list)  # diagnostics: files received
    recorded: bool = False  # its final state is in the lake (an Outcome row)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "action": self.action, "command_id": self.command_id,
                "request_id": self.request_id, "location": self.location,
                "requested_at": self.requested_at, "answer": self.answer,
                "file_name": self.file_name, "status": self.status,
                "status_at": self.status_at, "final": self.final,
                "history": [{"at": at, "status": s} for at, s in self.history],
                "downloads": self.downloads, "uploads": list(self.uploads)}


@dataclass(slots=True)
class ChargerState:
    charge_point_id: str
    ocpp_version: str = ""
    connected: bool = False
    connection_id: str | None = None
    connected_since: float | None = None
    last_seen: float | None = None
    offline_since: float | None = None
    boot: dict[str, Any] = field(default_factory=dict)
    boot_status: str | None = None
    heartbeat_interval: int = 300
    connectors: dict[str, ConnectorState] = field(default_factory=dict)
    transactions: dict[str, TransactionState] = field(default_factory=dict)
    firmware_status: str | None = None
    diagnostics_status: str | None = None
    security: SecurityState = field(default_factory=SecurityState)
    reservations: dict[int, ReservationState] = field(default_factory=dict)
    charging_profiles: dict[int, InstalledProfile] = field(default_factory=dict)
    firmware_job: FileJob | None = None  # the latest firmware update
    diagnostics_job: FileJob | None = None  # the latest diagnostics / log upload

    def end_transaction(self, transaction_id: str) -> None:
        """The transaction is over: it and the TxProfiles that lived with it go."""
        self.transactions.pop(transaction_id, None)
        for pid in [p.profile_id for p in self.charging_profiles.values()
                    if p.purpose == "TxProfile" and p.transaction_id == transaction_id]:
            del self.charging_profiles[pid]

    def drop_expired_reservations(self, now: float) -> None:
        for rid in [r for r, res in self.reservations.items() if res.expires_at <= now]:
            del self.reservations[rid]

    def to_json(self) -> dict[str, Any]:
        return {
            "charge_point_id": self.charge_point_id,
            "ocpp_version": self.ocpp_version,
            "connected": self.connected,
            "connection_id": self.connection_id,
            "connected_since": self.connected_since,
            "last_seen": self.last_seen,
            "offline_since": self.offline_since,
            "boot": self.boot,
            "boot_status": self.boot_status,
            "heartbeat_interval": self.heartbeat_interval,
            "connectors": {
                k: {"status": c.status, "error_code": c.error_code, "at": c.at, "info": c.info}
                for k, c in self.connectors.items()
            },
            "open_transactions": [
                {
                    "transaction_id": t.transaction_id,
                    "connector_id": t.connector_id,
                    "evse_id": t.evse_id,
                    "id_tag": t.id_tag,
                    "started_at": t.started_at,
                    "meter_start_wh": t.meter_start_wh,
                    "charging_state": t.charging_state,
                }
                for t in self.transactions.values()
            ],
            "firmware_status": self.firmware_status,
            "diagnostics_status": self.diagnostics_status,
            "security": self.security.to_json(),
            "reservations": [
                {"reservation_id": r.reservation_id, "port": r.port, "id_tag": r.id_tag,
                 "expires_at": r.expires_at}
                for r in self.reservations.values()
            ],
            "charging_profiles": [p.to_json() for p in self.charging_profiles.values()],
            "firmware_update": self.firmware_job.to_json() if self.firmware_job else None,
            "diagnostics_upload": (self.diagnostics_job.to_json() if self.diagnostics_job
                                   else None),
        }


def connector_key(evse_id: int | None, connector_id: int | None) -> str:
    """``"1"`` for a 1.6 connector, ``"1/2"`` for 2.0.1 EVSE 1 connector 2."""
    if evse_id is None:
        return str(connector_id if connector_id is not None else 0)
    return f"{evse_id}/{connector_id if connector_id is not None else 0}"
