"""Every OCPP 1.6J handler, driven by the ``ocpp`` package's charge-point side on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from ocpp.v16 import call

from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.clock import iso
from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.lake_helpers import table


@pytest.fixture
async def cp(csms: Csms) -> AsyncIterator[SimChargePoint16]:
    csms.add_charger("CP16", heartbeat_interval=120)
    csms.add_tag("TAG-OK", partner="emsp-a")
    csms.add_tag("TAG-BLOCKED", status="Blocked")
    csms.add_tag("TAG-OLD", expiry=datetime.now(UTC) - timedelta(days=1))
    ws = await open_link(csms.url, "CP16", "ocpp1.6", PASSWORD)
    charge_point = SimChargePoint16("CP16", ws)
    task = asyncio.create_task(listen(charge_point))
    yield charge_point
    await ws.close()
    await task


def _is_utc_z(text: str) -> bool:
    return text.endswith("Z") and "+00:00" not in text


async def test_boot_heartbeat_use_registry_and_utc_z(csms: Csms, cp: SimChargePoint16) -> None:
    boot = await cp.boot()
    assert boot.status == "Accepted"
    assert boot.interval == 120
    assert _is_utc_z(boot.current_time)
    hb = await cp.heartbeat()
    assert _is_utc_z(hb.current_time)
    state = csms.server.hub.chargers["CP16"]
    assert state.boot["chargePointModel"] == "SimAC22"
    assert state.heartbeat_interval == 120


async def test_boot_pending_and_rejected_from_registry(csms: Csms) -> None:
    for status in ("Pending", "Rejected"):
        cp_id = f"CP-{status}"
        csms.add_charger(cp_id, boot_status=status)
        ws = await open_link(csms.url, cp_id, "ocpp1.6", PASSWORD)
        charge_point = SimChargePoint16(cp_id, ws)
        task = asyncio.create_task(listen(charge_point))
        assert (await charge_point.boot()).status == status
        await ws.close()
        await task


async def test_authorize_statuses(cp: SimChargePoint16) -> None:
    assert (await cp.authorize("TAG-OK")).id_tag_info["status"] == "Accepted"
    assert (await cp.authorize("TAG-BLOCKED")).id_tag_info["status"] == "Blocked"
    assert (await cp.authorize("TAG-OLD")).id_tag_info["status"] == "Expired"
    assert (await cp.authorize("NOBODY")).id_tag_info["status"] == "Invalid"


async def test_transaction_lifecycle_logs_meter_values(csms: Csms, cp: SimChargePoint16) -> None:
    await cp.boot()
    tx = await cp.start_transaction(1, "TAG-OK")
    assert isinstance(tx, int)
    assert csms.server.hub.chargers["CP16"].transactions[str(tx)].connector_id == 1
    await cp.meter(1, 1500, 7200.0)
    await cp.meter(1, 2500, 7100.0)
    stop = await cp.call(call.StopTransaction(
        meter_stop=4000, timestamp=iso(), transaction_id=tx, reason="EVDisconnected",
        id_tag="TAG-OK",
        transaction_data=[{"timestamp": iso(), "sampledValue": [
            {"value": "4000", "context": "Transaction.End"}]}]))
    assert stop.id_tag_info["status"] == "Accepted"
    assert str(tx) not in csms.server.hub.chargers["CP16"].transactions

    mv = (await table(csms, "meter_values")).filter(pl.col("transaction_id") == str(tx))
    energy = mv.filter(pl.col("measurand") == "Energy.Active.Import.Register")
    assert sorted(energy["value"].to_list()) == [0.0, 1500.0, 4000.0, 4000.0, 4000.0]
    assert set(energy["unit"].to_list()) == {"Wh"}
    assert set(mv["source_action"].to_list()) == {
        "StartTransaction", "MeterValues", "StopTransaction"}
    power = mv.filter(pl.col("measurand") == "Power.Active.Import")
    assert power["value"].to_list() == [7200.0, 7100.0]
    assert power["timestamp"].null_count() == 0


async def test_duplicated_start_gets_same_transaction_id(cp: SimChargePoint16) -> None:
    stamp = iso()
    req = call.StartTransaction(connector_id=2, id_tag="TAG-OK", meter_start=10, timestamp=stamp)
    first = await cp.call(req)
    again = await cp.call(call.StartTransaction(connector_id=2, id_tag="TAG-OK", meter_start=10,
                                                timestamp=stamp))
    other = await cp.call(call.StartTransaction(connector_id=1, id_tag="TAG-OK", meter_start=10,
                                                timestamp=stamp))
    assert first.transaction_id == again.transaction_id
    assert other.transaction_id != first.transaction_id


async def test_status_and_notifications(csms: Csms, cp: SimChargePoint16) -> None:
    await cp.status(1, "Faulted", "GroundFailure")
    connector = csms.server.hub.chargers["CP16"].connectors["1"]
    assert (connector.status, connector.error_code) == ("Faulted", "GroundFailure")
    await cp.call(call.FirmwareStatusNotification(status="Downloading"))
    await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"))
    state = csms.server.hub.chargers["CP16"]
    assert (state.firmware_status, state.diagnostics_status) == ("Downloading", "Uploaded")
    dt = await cp.call(call.DataTransfer(vendor_id="acme", message_id="x", data="y"))
    assert dt.status == "UnknownVendorId"


async def test_every_frame_logged_both_ways(csms: Csms, cp: SimChargePoint16) -> None:
    await cp.boot()
    await cp.heartbeat()
    await cp.status(1, "Available")
    msgs = await table(csms, "ocpp_messages")
    assert msgs.height == 6
    ins = msgs.filter(pl.col("direction") == "in")
    outs = msgs.filter(pl.col("direction") == "out")
    assert ins["message_type"].to_list() == [2, 2, 2]
    assert outs["message_type"].to_list() == [3, 3, 3]
    assert ins["unique_id"].to_list() == outs["unique_id"].to_list()
    assert outs["action"].to_list() == ["BootNotification", "Heartbeat", "StatusNotification"]
    assert outs["latency_ms"].min() >= 0  # type: ignore[operator]
    assert set(msgs["ocpp_version"].to_list()) == {"1.6"}
    assert set(msgs["charge_point_id"].to_list()) == {"CP16"}
    assert msgs["error_code"].null_count() == 6


async def test_a_charger_cannot_stop_another_charger_s_transaction(
    csms: Csms, cp: SimChargePoint16
) -> None:
    """The attack row of the security review: CP-EVIL names CP16's transaction id."""
    csms.add_charger("CP-EVIL")
    ws = await open_link(csms.url, "CP-EVIL", "ocpp1.6", PASSWORD)
    evil = SimChargePoint16("CP-EVIL", ws)
    task = asyncio.create_task(listen(evil))
    try:
        await cp.boot()
        tx = await cp.start_transaction(1, "TAG-OK")
        stop = await evil.call(call.StopTransaction(
            meter_stop=49_000_000, timestamp=iso(), transaction_id=tx, id_tag="TAG-OK"))
        assert stop.id_tag_info["status"] == "Accepted"  # answered as the spec says...
        # ...but the owner's transaction stays open, in the registry and in live state
        assert csms.server.hub.registry.open_transactions("CP16") == [(tx, "CP16", 1, "TAG-OK")]
        assert str(tx) in csms.server.hub.chargers["CP16"].transactions
        events = (await table(csms, "connection_events")).filter(pl.col("event") == "flagged")
        assert events["charge_point_id"].to_list() == ["CP-EVIL"]
        assert f"transaction {tx}, which another charge point started" in events["reason"][0]
        # the owner still stops it
        await cp.call(call.StopTransaction(meter_stop=100, timestamp=iso(), transaction_id=tx))
        assert csms.server.hub.registry.open_transactions("CP16") == []
    finally:
        await ws.close()
        await task
