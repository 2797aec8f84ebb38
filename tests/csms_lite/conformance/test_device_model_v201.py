"""2.0.1 device model scenarios (OCTT TC_B_12/13/14 Get Base Report): the report the station
sends back in NotifyReport parts is stored as its variables (registry, API), and
SetVariableMonitoring is a typed command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from tests.conftest import Csms
from tests.csms_lite.conformance.secure_station import SecureStation, secure_station
from tests.csms_lite.conformance.station import WAIT_S
from tests.csms_lite.helpers.ocppj import wait_for


@pytest.fixture
async def station201(csms: Csms) -> AsyncIterator[SecureStation]:
    s = secure_station(csms, "2.0.1")
    await s.connect()
    await s.boot()
    yield s
    await s.disconnect()


async def _variables(s: SecureStation) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession(headers=s.csms.api_headers) as http, http.get(
            f"{s.csms.api_url}/api/v1/chargers/{s.cp_id}/variables") as resp:
        assert resp.status == 200, await resp.text()
        rows: list[dict[str, Any]] = await resp.json()
        return rows


@pytest.mark.parametrize("base", ["ConfigurationInventory", "FullInventory", "SummaryInventory"])
async def test_tcb12_tcb13_tcb14_get_base_report(station201: SecureStation, base: str) -> None:
    s = station201
    answer = await s.accepted("get_base_report", report_base=base, request_id=42)
    assert answer["status"] == "Accepted"
    assert await s.sent("GetBaseReport") == [{"requestId": 42, "reportBase": base}]
    await s.lake_command(answer, "GetBaseReport", "Accepted")

    async def both_parts() -> bool:
        return len(await s.answered("NotifyReport")) == 2

    await wait_for(both_parts, within=WAIT_S)
    parts = await s.frames("NotifyReport", "in", 2)
    assert [(p["requestId"], p.get("tbc")) for p in parts] == [(42, True), (42, False)]
    rows = await _variables(s)
    seen = {(r["component"], r["evse_id"], r["variable"], r["attribute_type"]): r for r in rows}
    assert set(seen) == {("OCPPCommCtrlr", 0, "HeartbeatInterval", "Actual"),
                         ("SampledDataCtrlr", 0, "TxUpdatedInterval", "Actual"),
                         ("EVSE", 1, "Power", "Actual"), ("EVSE", 1, "Power", "MaxSet")}
    heartbeat = seen[("OCPPCommCtrlr", 0, "HeartbeatInterval", "Actual")]
    assert (heartbeat["value"], heartbeat["mutability"], heartbeat["data_type"],
            heartbeat["request_id"]) == ("300", "ReadWrite", "integer", 42)
    power = seen[("EVSE", 1, "Power", "MaxSet")]
    assert (power["value"], power["unit"]) == ("22000", "W")
    # kept in the registry, for the next start of the CSMS
    with Registry(DataFolder(s.csms.data_dir).registry_file) as reg:
        assert len(reg.variables.of(s.cp_id)) == 4


async def test_a_newer_report_replaces_the_values_it_names(station201: SecureStation) -> None:
    s = station201
    await s.accepted("get_base_report", request_id=1)

    async def reported(n: int) -> bool:
        return len(await s.answered("NotifyReport")) == n

    await wait_for(lambda: reported(2), within=WAIT_S)
    s.secure.variables[("OCPPCommCtrlr", "HeartbeatInterval")] = "60"
    await s.accepted("get_base_report", request_id=2)
    await wait_for(lambda: reported(4), within=WAIT_S)
    rows = await _variables(s)
    heartbeat = [r for r in rows if r["variable"] == "HeartbeatInterval"]
    assert [(r["value"], r["request_id"]) for r in heartbeat] == [("60", 2)]


async def test_set_variable_monitoring(station201: SecureStation) -> None:
    s = station201
    monitors = [{"key": "EVSE.Power", "evse_id": 1, "type": "UpperThreshold", "value": 21000,
                 "severity": 4},
                {"key": "Nowhere.Thing", "type": "Delta", "value": 1, "severity": 8}]
    answer = await s.accepted("set_variable_monitoring", monitors=monitors)
    results = answer["response"]["setMonitoringResult"]
    assert [(r["status"], r.get("id")) for r in results] == [("Accepted", 1),
                                                              ("UnknownComponent", None)]
    assert (await s.sent("SetVariableMonitoring"))[0]["setMonitoringData"][0] == {
        "value": 21000, "type": "UpperThreshold", "severity": 4,
        "component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
    await s.lake_command(answer, "SetVariableMonitoring", None)
    code, refused = await s.command("set_variable_monitoring", monitors=[{"key": "EVSE.Power"}])
    assert code == 400
    assert "each monitor needs key, type, value, severity; missing type" in refused["error"]


@pytest.mark.parametrize(("command", "params"), [
    ("get_base_report", {"report_base": "FullInventory"}),
    ("set_variable_monitoring", {"monitors": [{"key": "EVSE.Power"}]})])
async def test_device_model_commands_are_refused_for_16(cp16: Any, command: str,
                                                        params: dict[str, Any]) -> None:
    await cp16.boot()
    code, answer = await cp16.command(command, **params)
    assert code == 400
    assert "OCPP 2.0.1 only" in answer["error"]
