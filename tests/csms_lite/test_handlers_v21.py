"""OCPP 2.1 is served by the 2.0.1 handlers with the 2.1 schemas: check the common messages."""

from __future__ import annotations

import asyncio

from ocpp.v21 import ChargePoint, call

from ingest.sim.clock import iso
from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.lake_helpers import table


async def test_ocpp21_boot_status_transaction(csms: Csms) -> None:
    csms.add_charger("CS21")
    ws = await open_link(csms.url, "CS21", "ocpp2.1", PASSWORD)
    assert ws.subprotocol == "ocpp2.1"
    station = ChargePoint("CS21", ws)
    task = asyncio.create_task(listen(station))
    boot = await station.call(call.BootNotification(
        charging_station={"model": "M21", "vendor_name": "V"}, reason="PowerUp"))
    assert boot.status == "Accepted"
    await station.call(call.StatusNotification(timestamp=iso(), connector_status="Available",
                                               evse_id=1, connector_id=1))
    await station.call(call.TransactionEvent(
        event_type="Started", timestamp=iso(), trigger_reason="Authorized", seq_no=0,
        transaction_info={"transaction_id": "t21"}, evse={"id": 1, "connector_id": 1},
        meter_value=[{"timestamp": iso(), "sampled_value": [{"value": 10.0}]}]))
    await ws.close()
    await task
    msgs = await table(csms, "ocpp_messages")
    assert set(msgs["ocpp_version"].to_list()) == {"2.1"}
    assert msgs["error_code"].null_count() == msgs.height
    assert (await table(csms, "meter_values"))["transaction_id"].to_list() == ["t21"]
