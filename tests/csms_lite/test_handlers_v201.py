"""Every OCPP 2.0.1 handler, driven by the ``ocpp`` package's charging-station side."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import polars as pl
import pytest
from ocpp.v201 import call

from ingest.sim.chargepoint_v201 import SimChargePoint201
from ingest.sim.clock import iso
from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.lake_helpers import table


@pytest.fixture
async def cs(csms: Csms) -> AsyncIterator[SimChargePoint201]:
    csms.add_charger("CS201", heartbeat_interval=90)
    csms.add_tag("TAG-OK")
    ws = await open_link(csms.url, "CS201", "ocpp2.0.1", PASSWORD)
    station = SimChargePoint201("CS201", ws)
    task = asyncio.create_task(listen(station))
    yield station
    await ws.close()
    await task


async def test_boot_and_heartbeat(csms: Csms, cs: SimChargePoint201) -> None:
    boot = await cs.boot()
    assert (boot.status, boot.interval) == ("Accepted", 90)
    assert boot.current_time.endswith("Z")
    assert (await cs.heartbeat()).current_time.endswith("Z")
    assert csms.server.hub.chargers["CS201"].ocpp_version == "2.0.1"


async def test_authorize(cs: SimChargePoint201) -> None:
    assert (await cs.authorize("TAG-OK")).id_token_info["status"] == "Accepted"
    assert (await cs.authorize("NOBODY")).id_token_info["status"] == "Unknown"


async def test_transaction_events_with_sequence_numbers(csms: Csms, cs: SimChargePoint201) -> None:
    tx = await cs.start_transaction(1, "TAG-OK")
    state = csms.server.hub.chargers["CS201"]
    assert state.transactions[tx].evse_id == 1
    await cs.meter(1, 2000.0, 50000.0)
    await cs.meter(1, 3000.0, 48000.0)
    assert state.transactions[tx].last_seq_no == 2
    assert state.transactions[tx].seq_gaps == 0
    await cs.stop_transaction(1)
    assert tx not in state.transactions

    mv = (await table(csms, "meter_values")).filter(pl.col("transaction_id") == tx)
    energy = mv.filter(pl.col("measurand") == "Energy.Active.Import.Register")
    assert energy["value"].to_list() == [0.0, 2000.0, 5000.0, 5000.0]
    assert energy["context"].to_list() == [
        "Transaction.Begin", "Sample.Periodic", "Sample.Periodic", "Transaction.End"]
    assert set(mv["evse_id"].to_list()) == {1}
    assert set(mv["source_action"].to_list()) == {"TransactionEvent"}


async def test_live_state_of_an_open_transaction_matches_its_frames(
    csms: Csms, cs: SimChargePoint201
) -> None:
    """The connector, the start register (kWh x 10^-1 here) and the token, even when the first
    event left some of them out: what the warehouse reads from the same frames."""
    def event(kind: str, seq: int, **extra: object) -> call.TransactionEvent:
        return call.TransactionEvent(
            event_type=kind, timestamp=iso(0), trigger_reason="Authorized", seq_no=seq,
            transaction_info={"transaction_id": "TX-LIVE"}, **extra)

    begin = [{"timestamp": iso(0), "sampled_value": [
        {"value": 123.4, "measurand": "Energy.Active.Import.Register",
         "context": "Transaction.Begin", "unit_of_measure": {"unit": "kWh", "multiplier": -1}}]}]
    await cs.call(event("Started", 0, evse={"id": 2}, meter_value=begin))
    tx = csms.server.hub.chargers["CS201"].to_json()["open_transactions"][0]
    assert (tx["evse_id"], tx["connector_id"], tx["id_tag"]) == (2, None, None)
    assert tx["meter_start_wh"] == pytest.approx(12_340.0, rel=1e-9)
    await cs.call(event("Updated", 1, evse={"id": 2, "connector_id": 1},
                        id_token={"id_token": "TAG-OK", "type": "ISO14443"}))
    tx = csms.server.hub.chargers["CS201"].to_json()["open_transactions"][0]
    assert (tx["evse_id"], tx["connector_id"], tx["id_tag"]) == (2, 1, "TAG-OK")
    assert tx["meter_start_wh"] == pytest.approx(12_340.0, rel=1e-9)


async def test_sequence_gap_is_counted(csms: Csms, cs: SimChargePoint201) -> None:
    tx = await cs.start_transaction(2, "TAG-OK")
    next(cs._seq)  # the station "loses" one event
    await cs.meter(2, 100.0, 1000.0)
    assert csms.server.hub.chargers["CS201"].transactions[tx].seq_gaps == 1


async def test_multiplier_applied_to_meter_values(csms: Csms, cs: SimChargePoint201) -> None:
    await cs.call(call.MeterValues(evse_id=1, meter_value=[{"timestamp": iso(), "sampledValue": [
        {"value": 12.5, "measurand": "Energy.Active.Import.Register",
         "unitOfMeasure": {"unit": "kWh", "multiplier": 0}},
        {"value": 7.2, "measurand": "Power.Active.Import",
         "unitOfMeasure": {"unit": "W", "multiplier": 3}},
        {"value": 55}]}]))
    mv = await table(csms, "meter_values")
    assert mv["value"].to_list() == [12.5, 7200.0, 55.0]
    assert mv["unit"].to_list() == ["kWh", "W", "Wh"]
    assert mv["measurand"].to_list()[2] == "Energy.Active.Import.Register"  # the spec default


async def test_status_and_notifications(csms: Csms, cs: SimChargePoint201) -> None:
    await cs.status(1, "Faulted")
    assert csms.server.hub.chargers["CS201"].connectors["1/1"].status == "Faulted"
    await cs.call(call.NotifyEvent(generated_at=iso(), seq_no=0, event_data=[{
        "event_id": 1, "timestamp": iso(), "trigger": "Alerting", "actual_value": "true",
        "event_notification_type": "HardWiredNotification",
        "component": {"name": "Connector"}, "variable": {"name": "Problem"}}]))
    await cs.call(call.NotifyReport(request_id=1, generated_at=iso(), seq_no=0))
    await cs.call(call.FirmwareStatusNotification(status="Installed"))
    await cs.call(call.SecurityEventNotification(type="StartupOfTheDevice", timestamp=iso()))
    assert csms.server.hub.chargers["CS201"].firmware_status == "Installed"
    msgs = await table(csms, "ocpp_messages")
    assert msgs["error_code"].null_count() == msgs.height
    assert msgs.filter(pl.col("direction") == "in")["action"].to_list() == [
        "StatusNotification", "NotifyEvent", "NotifyReport", "FirmwareStatusNotification",
        "SecurityEventNotification"]
