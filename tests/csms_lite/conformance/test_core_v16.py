"""OCPP 1.6 core profile, charger-initiated scenarios (OCTT test case ids): what the CSMS answers,
its live state and the lake rows."""

from __future__ import annotations

import asyncio

import polars as pl
import pytest

from tests.conftest import Csms
from tests.csms_lite.conformance.station import WAIT_S, Station
from tests.csms_lite.lake_helpers import table


def _z(text: str) -> bool:
    return text.endswith("Z")


async def test_tc001_cold_boot(csms: Csms, cp16: Station) -> None:
    boot = await cp16.boot()
    assert (boot.status, boot.interval) == ("Accepted", 120)
    assert _z(boot.current_time)
    hb = await cp16.cp.heartbeat()
    assert _z(hb.current_time)
    [answer] = await cp16.answered("BootNotification")
    assert (answer["status"], answer["interval"]) == ("Accepted", 120)
    assert await cp16.answered("StatusNotification") == [{}, {}]
    live = cp16.live()
    assert (live.boot_status, live.connected) == ("Accepted", True)
    assert {k: c.status for k, c in live.connectors.items()} == {"1": "Available",
                                                                  "2": "Available"}
    events = (await table(csms, "connection_events")).filter(
        pl.col("charge_point_id") == "CP16")
    assert events["event"].to_list() == ["connect"]
    assert events["subprotocol"].to_list() == ["ocpp1.6"]


async def _charging(cp16: Station, authorize_first: bool) -> str:
    await cp16.boot()
    if authorize_first:
        assert (await cp16.cp.authorize("TAG-OK")).id_tag_info["status"] == "Accepted"
        await cp16.status(1, "Preparing")
    else:
        await cp16.status(1, "Preparing")
        assert (await cp16.cp.authorize("TAG-OK")).id_tag_info["status"] == "Accepted"
    tx = await cp16.start(1, "TAG-OK")
    await cp16.status(1, "Charging")
    await cp16.cp.meter(1, 1200, 7000.0)
    return tx


async def _assert_charging(cp16: Station, tx: str) -> None:
    [start] = await cp16.answered("StartTransaction")
    assert start == {"transactionId": int(tx), "idTagInfo": {"status": "Accepted"}}
    live = cp16.live()
    assert live.connectors["1"].status == "Charging"
    assert live.transactions[tx].charging_state == "Charging"
    assert live.transactions[tx].id_tag == "TAG-OK"
    rows = (await cp16.meter_rows()).filter(pl.col("transaction_id") == tx)
    begin = rows.filter(pl.col("context") == "Transaction.Begin")
    assert begin["value"].to_list() == [0.0]
    periodic = rows.filter((pl.col("context") == "Sample.Periodic")
                           & (pl.col("measurand") == "Energy.Active.Import.Register"))
    assert periodic["value"].to_list() == [1200.0]


async def test_tc003_regular_charging_session_plugin_first(cp16: Station) -> None:
    tx = await _charging(cp16, authorize_first=False)
    await _assert_charging(cp16, tx)


async def test_tc004_regular_charging_session_identification_first(cp16: Station) -> None:
    tx = await _charging(cp16, authorize_first=True)
    await _assert_charging(cp16, tx)


async def test_tc005_ev_side_disconnected(csms: Csms, cp16: Station) -> None:
    tx = await _charging(cp16, authorize_first=False)
    await cp16.status(1, "SuspendedEV")
    await cp16.stop(1, reason="EVDisconnected")
    await cp16.status(1, "Finishing")
    await cp16.status(1, "Available")
    assert (await cp16.answered("StopTransaction")) == [{}]
    [stop] = await cp16.frames("StopTransaction", "in", 2)
    assert (stop["reason"], stop["transactionId"]) == ("EVDisconnected", int(tx))
    assert tx not in cp16.live().transactions
    assert csms.server.registry.open_transactions("CP16") == []
    end = (await cp16.meter_rows()).filter((pl.col("transaction_id") == tx)
                                           & (pl.col("context") == "Transaction.End"))
    assert end["value"].to_list() == [1200.0]


@pytest.mark.parametrize(("tag", "status"), [
    ("NOBODY", "Invalid"), ("TAG-OLD", "Expired"), ("TAG-BLOCKED", "Blocked")],
    ids=["tc023_1-invalid", "tc023_2-expired", "tc023_3-blocked"])
async def test_tc023_start_charging_session_authorize_not_accepted(
    cp16: Station, tag: str, status: str
) -> None:
    await cp16.boot()
    await cp16.status(1, "Preparing")
    assert (await cp16.cp.authorize(tag)).id_tag_info["status"] == status
    await cp16.status(1, "Available")  # the charger does not start
    [answer] = await cp16.answered("Authorize")
    assert answer["idTagInfo"]["status"] == status
    assert cp16.live().transactions == {}


async def test_tc024_start_charging_session_lock_failure(csms: Csms, cp16: Station) -> None:
    """The driver is let in (remote start accepted), the cable cannot be locked: the charger
    reports Faulted with ConnectorLockFailure and starts no transaction. The CSMS answers, shows
    the port faulted with that code (a port that is down for uptime), and opens nothing."""
    await cp16.boot()
    answer = await cp16.accepted("remote_start", id_tag="TAG-OK", connector_id=1)
    assert answer["status"] == "Accepted"
    await cp16.status(1, "Preparing")
    await asyncio.wait_for(cp16.cp.status(1, "Faulted", error_code="ConnectorLockFailure"),
                           WAIT_S)
    assert await cp16.answered("StatusNotification") == [{}] * 4
    port = cp16.live().connectors["1"]
    assert (port.status, port.error_code) == ("Faulted", "ConnectorLockFailure")
    assert cp16.live().transactions == {}
    assert csms.server.registry.open_transactions("CP16") == []
    assert await cp16.frames("StartTransaction", "in", 2) == []
    *_, faulted = await cp16.frames("StatusNotification", "in", 2)
    assert (faulted["connectorId"], faulted["status"], faulted["errorCode"]) == (
        1, "Faulted", "ConnectorLockFailure")
