"""OCPP 2.0.1 (and 2.1, whose messages these are a subset of): what the CSMS answers."""

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
from csms_lite.state import TransactionState
from csms_lite.timefmt import utc_iso
from ingest.lake.meter_flatten import energy_register_wh

Payload = dict[str, Any]


def _id_token_info(ctx: CallContext, id_token: Payload) -> Payload:
    tag = lookup_tag(ctx, id_token["idToken"])
    if tag is None:
        return {"status": "Unknown"}
    info: Payload = {"status": tag.status}
    if tag.expiry is not None:
        info["cacheExpiryDateTime"] = utc_iso(tag.expiry.timestamp())
    if tag.parent_id_tag:
        info["groupIdToken"] = {"idToken": tag.parent_id_tag, "type": "Central"}
    return info


def authorize(ctx: CallContext, p: Payload) -> Payload:
    return {"idTokenInfo": _id_token_info(ctx, p["idToken"])}


def _track(ctx: CallContext, p: Payload, tx_id: str) -> None:
    """Follow a transaction's sequence numbers; a gap means the charger lost events."""
    evse = p.get("evse") or {}
    txs = ctx.charger.transactions
    tx = txs.get(tx_id)
    if tx is None:
        tx = TransactionState(tx_id, None, None, None, ctx.now)
        txs[tx_id] = tx
    # What the first event left out, a later one may carry (as the warehouse reads them).
    if tx.evse_id is None:
        tx.evse_id = evse.get("id")
    if tx.connector_id is None:
        tx.connector_id = evse.get("connectorId")
    if tx.id_tag is None:
        tx.id_tag = (p.get("idToken") or {}).get("idToken")
    if tx.meter_start_wh is None and p["eventType"] == "Started":
        tx.meter_start_wh = energy_register_wh(p.get("meterValue"))
    state = (p.get("transactionInfo") or {}).get("chargingState")
    if state is not None:
        tx.charging_state = state
    seq = p["seqNo"]
    if tx.last_seq_no is not None and seq > tx.last_seq_no + 1:
        tx.seq_gaps += seq - tx.last_seq_no - 1
    if tx.last_seq_no is None or seq > tx.last_seq_no:
        tx.last_seq_no = seq
    if p["eventType"] == "Ended":
        ctx.charger.end_transaction(tx_id)


def transaction_event(ctx: CallContext, p: Payload) -> Payload:
    tx_id = p["transactionInfo"]["transactionId"]
    if "reservationId" in p:
        reservation_used(ctx, p["reservationId"])
    _track(ctx, p, tx_id)  # meter values inside: see ingest.lake.meter_flatten
    if "idToken" in p:
        return {"idTokenInfo": _id_token_info(ctx, p["idToken"])}
    return {}


def status_notification(ctx: CallContext, p: Payload) -> Payload:
    set_connector(ctx, p["evseId"], p["connectorId"], p["connectorStatus"], None)
    return {}


def meter_values(ctx: CallContext, p: Payload) -> Payload:
    # The sampled values reach meter_values through the lake converter (ingest.lake.meter_flatten).
    return {}


def firmware_status_notification(ctx: CallContext, p: Payload) -> Payload:
    ctx.charger.firmware_status = p["status"]
    file_status(ctx, "firmware", p["status"], p.get("requestId"))
    return {}


def log_status_notification(ctx: CallContext, p: Payload) -> Payload:
    ctx.charger.diagnostics_status = p["status"]
    file_status(ctx, "diagnostics", p["status"], p.get("requestId"))
    return {}


def empty(ctx: CallContext, p: Payload) -> Payload:
    """Notifications whose content is only logged (NotifyEvent, NotifyReport, security events)."""
    return {}


def data_transfer(ctx: CallContext, p: Payload) -> Payload:
    return {"status": "UnknownVendorId"}


def reservation_status_update(ctx: CallContext, p: Payload) -> Payload:
    """A reservation expired or was removed on the station."""
    reservation_used(ctx, p["reservationId"])
    return {}


HANDLERS: dict[str, Handler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "Authorize": authorize,
    "TransactionEvent": transaction_event,
    "StatusNotification": status_notification,
    "MeterValues": meter_values,
    "NotifyEvent": empty,
    "NotifyReport": empty,
    "FirmwareStatusNotification": firmware_status_notification,
    "SecurityEventNotification": empty,
    "DataTransfer": data_transfer,
    "ReservationStatusUpdate": reservation_status_update,
    "LogStatusNotification": log_status_notification,
}
