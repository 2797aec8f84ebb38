"""The fleet simulator through a real CSMS on loopback: simulated time in the lake, the same lake
for the same seed, faults announced by their precursors, resets that cure what a reset cures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ingest.sim.faults import BY_NAME, Fault
from ingest.sim.network import build_network
from tests.conftest import Csms
from tests.workbench.sim_helpers import (
    DAY,
    faulty_profile,
    query,
    run,
    settings,
    statuses,
    truth,
)
from workbench.cli import app
from workbench.runs.sim_csms import SimCsms

TX_ID = re.compile(r'"transactionId":(\d+)')


@pytest.mark.slow
async def test_lake_is_in_simulated_time_with_sessions_of_both_versions(tmp_path: Path) -> None:
    s = settings(tmp_path)
    result = await run(s)
    rows = query(tmp_path, "ocpp_messages",
                 "select min(epoch_us(received_at)), max(epoch_us(received_at)), "
                 "count(distinct charge_point_id), count(*) filter (where message_type = 4) "
                 "from {t}")
    first, last, chargers, call_errors = rows[0]
    assert s.start <= first / 1e6
    assert last / 1e6 <= s.end
    assert chargers == s.chargers
    assert call_errors == 0, "the CSMS refused something the simulator sent"
    actions = dict(query(tmp_path, "ocpp_messages", "select action, count(*) from {t} "
                         "where direction = 'in' group by action"))
    assert {"BootNotification", "Heartbeat", "StatusNotification", "Authorize"} <= set(actions)
    assert actions.get("StartTransaction", 0) + actions.get("TransactionEvent", 0) > 0
    assert result.stats.sessions > 0
    assert result.calls == sum(actions.values())


def _normalised(data_dir: Path) -> list[tuple[Any, ...]]:
    """Every frame, with the ids only the CSMS picks renamed in order of first appearance:
    connection ids (random) and 1.6 transaction ids (a counter over concurrent chargers)."""
    rows = query(data_dir, "ocpp_messages",
                 "select epoch_us(received_at), charge_point_id, direction, message_type, "
                 "unique_id, action, payload from {t} "
                 "order by received_at, charge_point_id, unique_id, direction")
    names: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        return f'"transactionId":"tx{names.setdefault(m.group(1), str(len(names)))}"'

    return [(*r[:6], TX_ID.sub(rename, r[6] or "")) for r in rows]


@pytest.mark.slow
async def test_same_seed_same_lake_other_seed_other_lake(tmp_path: Path) -> None:
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        await run(settings(tmp_path / name, seed=seed, days=3.0), faulty_profile(0.3))
    a, b, c = (_normalised(tmp_path / n) for n in "abc")
    assert len(a) > 1000
    assert a == b
    assert a != c
    assert truth(tmp_path / "a") == truth(tmp_path / "b")


@pytest.mark.slow
async def test_precursors_come_before_long_faults(tmp_path: Path) -> None:
    s = settings(tmp_path, chargers=8, sites=2, days=12.0, seed=3)
    await run(s, faulty_profile(0.25))
    faults = truth(tmp_path, "kind = 'fault' and fault_type in "
                   "('power_module', 'ground_fault', 'connector_lock_stuck')")
    assert len(faults) >= 5
    errors = query(tmp_path, "ocpp_messages",
                   "select charge_point_id, epoch_us(received_at) / 1e6 from {t} "
                   "where direction = 'in' and ((action = 'StatusNotification' and "
                   "payload::json->>'errorCode' <> 'NoError' and "
                   "payload::json->>'status' <> 'Faulted') or (action = 'NotifyEvent' and "
                   "payload like '%Alerting%'))")
    before = after = 0
    for f in faults:
        onset = f["start"].timestamp()
        times = [t for cp, t in errors if cp == f["charge_point_id"]]
        before += sum(onset - DAY <= t < onset for t in times)
        after += sum(onset + 2 * DAY <= t < onset + 3 * DAY for t in times)
    assert before > 3 * max(after, 1), (before, after)


def _fault(kind: str, onset: float, hours: float = 48.0) -> Fault:
    return Fault(BY_NAME[kind], onset - 6 * 3600, onset, onset + hours * 3600, connector=1)


@pytest.mark.slow
async def test_reset_cures_a_curable_fault_and_not_a_hardware_one(tmp_path: Path) -> None:
    s = settings(tmp_path, chargers=2, sites=1, days=1.0, demand_scale=0.0)
    curable, broken = (c.id for c in build_network(s.seed, s.sites, s.chargers).chargers)
    onset = s.start + 4 * 3600
    faults = {curable: [_fault("firmware_hang", onset)], broken: [_fault("power_module", onset)]}
    answers: dict[str, Any] = {}

    async def operator(t: float, csms: SimCsms) -> None:
        if t >= onset + 3600 and not answers:
            hub = csms.server.hub
            for cp in (curable, broken):
                req = hub.request_for(cp, "reset", {"type": "hard"}, "operator", "test")
                answers[cp] = await hub.send(req)

    await run(s, faults=faults, during=operator)
    assert {a.status for a in answers.values()} == {"Accepted"}
    cured = truth(tmp_path, f"kind = 'fault' and charge_point_id = '{curable}'")[0]
    assert cured["ended_by"] == "reset"
    assert onset + 3600 <= cured["end"].timestamp() < onset + 3600 + 60
    kept = truth(tmp_path, f"kind = 'fault' and charge_point_id = '{broken}'")[0]
    assert kept["ended_by"] == "end_of_simulation"
    # Both rebooted (one BootNotification after the reset); only one came back Available.
    boots = query(tmp_path, "ocpp_messages", "select charge_point_id, count(*) from {t} where "
                  "direction = 'in' and action = 'BootNotification' and "
                  f"epoch_us(received_at) >= {int((onset + 3600) * 1e6)} group by 1")
    assert dict(boots) == {curable: 1, broken: 1}
    assert statuses(tmp_path, curable)[-1][1] == "Available"
    assert statuses(tmp_path, broken)[-1][1] == "Faulted"


@pytest.mark.slow
async def test_reset_in_the_precursor_window_averts_a_curable_fault_only(tmp_path: Path) -> None:
    """What predictive self-healing relies on: a reset while a hang is building stops it (the
    wear restarts); worn hardware fails on schedule whatever the reset."""
    s = settings(tmp_path, chargers=2, sites=1, days=1.0, demand_scale=0.0)
    curable, broken = (c.id for c in build_network(s.seed, s.sites, s.chargers).chargers)
    onset = s.start + 8 * 3600
    faults = {curable: [_fault("firmware_hang", onset)], broken: [_fault("power_module", onset)]}
    reset_at = onset - 3 * 3600  # inside the 6 h precursor window
    sent: list[str] = []

    async def operator(t: float, csms: SimCsms) -> None:
        if t >= reset_at and not sent:
            hub = csms.server.hub
            for cp in (curable, broken):
                await hub.send(hub.request_for(cp, "reset", {"type": "soft"}, "operator", "test"))
                sent.append(cp)

    await run(s, faults=faults, during=operator)
    averted = truth(tmp_path, "kind = 'averted'")
    assert [(r["charge_point_id"], r["ended_by"]) for r in averted] == [(curable, "reset")]
    assert truth(tmp_path, f"kind = 'fault' and charge_point_id = '{curable}'") == []
    kept = truth(tmp_path, f"kind = 'fault' and charge_point_id = '{broken}'")
    assert len(kept) == 1
    assert kept[0]["start"].timestamp() == onset
    assert statuses(tmp_path, curable)[-1][1] == "Available"
    assert statuses(tmp_path, broken)[-1][1] == "Faulted"


@pytest.mark.slow
async def test_commands_answered_as_a_charger_would(tmp_path: Path) -> None:
    s = settings(tmp_path, chargers=2, sites=1, days=0.5, demand_scale=0.0)
    network = build_network(s.seed, s.sites, s.chargers).chargers
    cps = [c.id for c in network]
    version = {c.id: c.ocpp for c in network}
    plan: list[tuple[str, dict[str, Any]]] = [
        ("change_availability", {"connector_id": 1, "available": False}),
        ("trigger_message", {"message": "Heartbeat"}),
        ("unlock_connector", {"connector_id": 1}),
        ("change_availability", {"connector_id": 1, "available": True}),
        ("remote_start", {"id_tag": "APP-USER-1", "connector_id": 2}),
    ]

    def named(cp: str, params: dict[str, Any]) -> dict[str, Any]:
        """1.6 names the port connector_id, 2.0.1 evse_id."""
        if version[cp] == "1.6":
            return params
        return {("evse_id" if k == "connector_id" else k): v for k, v in params.items()}
    got: dict[tuple[str, str], Any] = {}

    async def operator(t: float, csms: SimCsms) -> None:
        step = int((t - s.start) // 3600) - 1
        if 0 <= step < len(plan) and (cps[0], plan[step][0] + str(step)) not in got:
            for cp in cps:
                command, params = plan[step]
                req = csms.server.hub.request_for(cp, command, named(cp, params), "operator")
                got[(cp, command + str(step))] = await csms.server.hub.send(req)

    await run(s, during=operator)
    for cp in cps:
        assert got[(cp, "change_availability0")].status == "Accepted"
        assert got[(cp, "trigger_message1")].status == "Accepted"
        assert got[(cp, "unlock_connector2")].status == "Unlocked"
        assert got[(cp, "remote_start4")].status == "Accepted"
        seen = [st for _, st in statuses(tmp_path, cp)]
        assert "Unavailable" in seen
        assert seen.index("Unavailable") < len(seen) - seen[::-1].index("Available") - 1
    starts = query(tmp_path, "ocpp_messages", "select count(*) from {t} where direction = 'in' "
                   "and (action = 'StartTransaction' or payload like '%RemoteStart%')")
    assert starts[0][0] == len(cps)


@pytest.mark.slow
async def test_simulator_truth_is_apart_from_the_lake(tmp_path: Path) -> None:
    await run(settings(tmp_path, days=1.0))
    assert not (tmp_path / "lake" / "sim_truth").exists()
    network = json.loads((tmp_path / "sim" / "network.json").read_text())
    assert len(network["chargers"]) == 4


@pytest.mark.slow
async def test_fleet_against_a_running_csms_on_its_own_clock(csms: Csms) -> None:
    s = settings(csms.data_dir, days=0.5, demand_scale=3.0)
    result = await run(s, csms_url=csms.url)
    await csms.server.stop()  # flush the lake
    rows = query(csms.data_dir, "ocpp_messages", "select count(distinct charge_point_id), "
                 "count(*) filter (where message_type = 4), max(epoch_us(received_at)) from {t}")
    chargers, call_errors, last_us = rows[0]
    assert chargers == s.chargers
    assert call_errors == 0
    assert result.stats.sessions > 0
    assert last_us / 1e6 > s.end  # wall clock: that CSMS keeps its own time


@pytest.mark.slow
def test_cli_refuses_an_unreachable_csms(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--data-dir", str(tmp_path), "--days", "0.1",
                                      "--csms-url", "ws://127.0.0.1:9/ocpp"])
    assert result.exit_code == 2
    assert "cannot reach the CSMS at ws://127.0.0.1:9/ocpp" in result.output


def test_cli_precursor_knobs_reach_the_simulation(tmp_path: Path) -> None:
    """The lake's precursor settings are saved beside it: a model is judged against them."""
    result = CliRunner().invoke(app, ["simulate", "--data-dir", str(tmp_path), "--sites", "1",
                                      "--chargers", "1", "--days", "0.05",
                                      "--precursor-window-h", "12", "--near-miss-share", "0",
                                      "--precursor-ramp", "1"])
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "sim" / "precursors.json").read_text())
    assert saved == {"median_h": 12.0, "near_miss_share": 0.0, "ramp": 1.0}
