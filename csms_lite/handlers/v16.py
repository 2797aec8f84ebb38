"""OCPP 1.6J: what the Central System answers to each charge point CALL."""

from __future__ import annotations

from typing import Any

from csms_lite.files.jobs import file_status
from csms_lite.handlers.common import (
    boot_notification,
    heartbeat,
    lookup_tag,
    reservation_used,
    set_connector,
)
from csms_lite.handlers.context import CallContext, Handler
from csms_lite.registry.models import StopOutcome
from csms_lite.state import TransactionState
from csms_lite.timefmt import utc_iso

Payload = dict[str, Any]


def _id_tag_info(ctx: CallContext, id_tag: str) -> Payload:
    tag = lookup_tag(ctx, id_tag)
    if tag is None:
        return {"status": "Invalid"}
    info: Payload = {"status": tag.status}
    if tag.expiry is not None:
        info["expiryDate"] = utc_iso(tag.expiry.timestamp())
    if tag.parent_id_tag:
        info["parentIdTag"] = tag.parent_id_tag
    return info


def authorize(ctx: CallContext, p: Payload) -> Payload:
    return {"idTagInfo": _id_tag_info(ctx, p["idTag"])}


def start_transaction(ctx: CallContext, p: Payload) -> Payload:
    info = _id_tag_info(ctx, p["idTag"])
    start = (ctx.charger.charge_point_id, p["connectorId"], p["idTag"], p["meterStart"],
             p["timestamp"], ctx.now)
    if ctx.transaction_id is None:
        tx_id, _duplicate = ctx.registry.start_transaction(*start)
    else:  # a cluster node: the broker allocated it; the registry keeps its ids above it
        tx_id = ctx.transaction_id
        ctx.registry.record_transaction(tx_id, *start)
    if "reservationId" in p:
        reservation_used(ctx, p["reservationId"])
    key = str(tx_id)
    ctx.charger.transactions.setdefault(
        key, TransactionState(key, p["connectorId"], None, p["idTag"], ctx.now, p["meterStart"])
    )
    return {"transactionId": tx_id, "idTagInfo": info}


def stop_transaction(ctx: CallContext, p: Payload) -> Payload:
    """Answered as the spec says whatever the id (the charger may then drop the message); only
    the charge point's own transaction is stopped."""
    tx_id = p["transactionId"]
    outcome = ctx.registry.stop_transaction(tx_id, ctx.charger.charge_point_id, ctx.now)
    if outcome is StopOutcome.FOREIGN:
        ctx.flags.append(f"StopTransaction for transaction {tx_id}, which another charge point "
                         "started: left open")
    else:
        ctx.charger.end_transaction(str(tx_id))
    if "idTag" in p:
        return {"idTagInfo": _id_tag_info(ctx, p["idTag"])}
    return {}


CHARGING_STATES_16 = {"Charging", "SuspendedEV", "SuspendedEVSE"}


def status_notification(ctx: CallContext, p: Payload) -> Payload:
    set_connector(ctx, None, p["connectorId"], p["status"], p["errorCode"], p.get("info"))
    if p["status"] in CHARGING_STATES_16:  # 1.6 tells the charging state through the status
        for tx in ctx.charger.transactions.values():
            if tx.connector_id == p["connectorId"]:
                tx.charging_state = p["status"]
    return {}


def meter_values(ctx: CallContext, p: Payload) -> Payload:
    # The sampled values reach meter_values through the lake converter (ingest.lake.meter_flatten).
    return {}


def data_transfer(ctx: CallContext, p: Payload) -> Payload:
    # No vendor extensions are implemented; the frame is logged for whoever needs it.
    return {"status": "UnknownVendorId"}


def firmware_status_notification(ctx: CallContext, p: Payload) -> Payload:
    ctx.charger.firmware_status = p["status"]
    file_status(ctx, "firmware", p["status"], None)
    return {}


def diagnostics_status_notification(ctx: CallContext, p: Payload) -> Payload:
    ctx.charger.diagnostics_status = p["status"]
    file_status(ctx, "diagnostics", p["status"], None)
    return {}


HANDLERS: dict[str, Handler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "Authorize": authorize,
    "StartTransaction": start_transaction,
    "StopTransaction": stop_transaction,
    "StatusNotification": status_notification,
    "MeterValues": meter_values,
    "DataTransfer": data_transfer,
    "FirmwareStatusNotification": firmware_status_notification,
    "DiagnosticsStatusNotification": diagnostics_status_notification,
}
