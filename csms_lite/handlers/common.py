"""Pieces both OCPP versions' handlers share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from csms_lite.handlers.context import CallContext
from csms_lite.registry.models import IdTag
from csms_lite.state import ConnectorState, connector_key
from csms_lite.timefmt import utc_iso


def now_iso(ctx: CallContext) -> str:
    return utc_iso(ctx.now)


def boot_decision(ctx: CallContext, boot: dict[str, Any]) -> tuple[str, int]:
    """(status, heartbeat interval) for a BootNotification, from the registry."""
    cp = ctx.registry.get_charge_point(ctx.charger.charge_point_id)
    status, interval = "Accepted", ctx.config.heartbeat_interval
    if cp is not None:
        status, interval = cp.boot_status, cp.heartbeat_interval
    elif not ctx.config.accept_unknown:
        status = "Rejected"  # only reachable if the charger was removed while connected
    ctx.charger.boot = boot
    ctx.charger.boot_status = status
    ctx.charger.heartbeat_interval = interval
    return status, interval


def boot_notification(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """Same answer in 1.6 and 2.0.1: status and interval from the registry, time in UTC ``Z``."""
    status, interval = boot_decision(ctx, p)
    return {"status": status, "currentTime": now_iso(ctx), "interval": interval}


def heartbeat(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"currentTime": now_iso(ctx)}


def lookup_tag(ctx: CallContext, id_tag: str) -> IdTag | None:
    return ctx.registry.get_id_tag(id_tag, datetime.fromtimestamp(ctx.now, UTC))


def set_connector(
    ctx: CallContext, evse_id: int | None, connector_id: int | None, status: str,
    error_code: str | None, info: str | None = None,
) -> None:
    key = connector_key(evse_id, connector_id)
    ctx.charger.connectors[key] = ConnectorState(status, error_code, ctx.now, info)
    ctx.charger.drop_expired_reservations(ctx.now)  # the charger reports its port freed


def reservation_used(ctx: CallContext, reservation_id: object) -> None:
    """A reservation ended on the charger (used by a transaction, expired, removed)."""
    if isinstance(reservation_id, int):
        ctx.charger.reservations.pop(reservation_id, None)
    ctx.charger.drop_expired_reservations(ctx.now)
