"""The simulated technicians, end to end on loopback: tickets opened in the product's tickets
store and handed over through its outbox (``pipelines.field_service``) reach the simulated
field service, whose technician averts a power-module fault when on site inside its precursor
window, shortens it when on site after onset, and wastes the roll on a healthy charger; its
reports close the tickets (``models.tickets.field_reports``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ingest.data_folder import DataFolder
from ingest.sim.faults import BY_NAME, Fault
from ingest.sim.field_contract import FieldService
from ingest.sim.profile import load_default
from models.tickets.field_reports import apply_reports
from models.tickets.store import NewTicket, TicketStore
from pipelines import field_service
from tests.workbench.sim_helpers import settings, truth
from workbench.runs.replay import run_async
from workbench.runs.sim_csms import SimCsms
from workbench.runs.simulate import SimulateJob, network_of, simulate

HOUR = 3600.0
pytestmark = pytest.mark.slow  # a simulation of 36 h through a CSMS: about 17 s
RESPONSE_H, REPAIR_H = 2.0, 3.0
ONSET_H, LASTS_H = 20.0, 100.0  # both faults: window from hour 8, onset at 20, 100 h long
TICKET_AT_H = {"early": 12.0, "late": 22.0, "healthy": 5.0}


@dataclass
class Run:
    data: Path
    start: float
    cp: dict[str, str]  # role -> charger id
    tickets: dict[str, str]  # role -> ticket id


class OpensTickets:
    """A ``During`` hook: opens each role's ticket at its hour, as the loop would, and hands it
    over through the outbox; applies field service's reports on every tick."""

    def __init__(self, data: Path, start: float, cp: dict[str, str]) -> None:
        self.folder = DataFolder(data)
        self.store = TicketStore(self.folder.tickets_file)
        self.start, self.cp = start, cp
        self.opened: dict[str, str] = {}

    async def __call__(self, t: float, csms: SimCsms) -> None:
        for role, hour in TICKET_AT_H.items():
            if role not in self.opened and t >= self.start + hour * HOUR:
                new = NewTicket(self.cp[role], "rules", "manual", "manual", {"role": role})
                self.opened[role] = self.store.open_ticket(new, t)[0].ticket_id
                field_service.deliver_pending(self.folder, self.store)
        apply_reports(self.store, self.folder.field_reports)


@pytest.fixture(scope="module")
def field_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("field")
    contract = FieldService(response_median_h=RESPONSE_H, response_sigma=0.0, response_min_h=1.0,
                            repair_median_h=REPAIR_H, repair_sigma=0.0, poll_s=300.0)
    s = replace(settings(root / "sim", chargers=3, sites=1, days=1.5, demand_scale=0.0),
                field_service=contract)
    ids = [c.id for c in network_of(s).chargers]
    cp = dict(zip(TICKET_AT_H, ids, strict=True))
    onset = s.start + ONSET_H * HOUR

    def power_module() -> Fault:
        return Fault(BY_NAME["power_module"], s.start + 8 * HOUR, onset,
                     onset + LASTS_H * HOUR, 1)

    faults = {cp["early"]: [power_module()], cp["late"]: [power_module()], cp["healthy"]: []}
    hook = OpensTickets(s.data_dir, s.start, cp)
    job = SimulateJob(s, load_default(), node_id="fs", during=hook, faults=faults)
    run_async(simulate(job, lambda _: None))
    apply_reports(hook.store, hook.folder.field_reports)  # the reports of the last minutes
    return Run(s.data_dir, s.start, cp, hook.opened)


def _rolls(r: Run, role: str) -> list[dict[str, object]]:
    return truth(r.data, f"kind = 'truck_roll' and charge_point_id = '{r.cp[role]}'")


def _hours(r: Run, at: object) -> float:
    return (at.timestamp() - r.start) / HOUR  # type: ignore[attr-defined]


def test_a_technician_inside_the_precursor_window_averts_the_fault(field_run: Run) -> None:
    r = field_run
    cp = r.cp["early"]
    assert truth(r.data, f"kind = 'fault' and charge_point_id = '{cp}'") == []
    averted = truth(r.data, f"kind = 'averted' and charge_point_id = '{cp}'")
    assert [(a["fault_type"], a["ended_by"]) for a in averted] == [("power_module", "technician")]
    [roll] = _rolls(r, "early")
    assert roll["ended_by"] == "averted"
    assert _hours(r, roll["start"]) == pytest.approx(12.0 + RESPONSE_H, abs=0.3)
    assert _hours(r, roll["end"]) == pytest.approx(12.0 + RESPONSE_H + REPAIR_H, abs=0.3)
    assert json.loads(str(roll["detail"]))["tickets"] == [r.tickets["early"]]


def test_a_technician_after_onset_shortens_the_outage_and_does_not_avert(field_run: Run) -> None:
    r = field_run
    cp = r.cp["late"]
    assert truth(r.data, f"kind = 'averted' and charge_point_id = '{cp}'") == []
    [fault] = truth(r.data, f"kind = 'fault' and charge_point_id = '{cp}'")
    assert fault["ended_by"] == "field_service"
    assert _hours(r, fault["start"]) == pytest.approx(ONSET_H, abs=0.1)
    # Ended by the repair (ticket + response + repair), not 100 h after onset.
    assert _hours(r, fault["end"]) == pytest.approx(22.0 + RESPONSE_H + REPAIR_H, abs=0.3)
    [roll] = _rolls(r, "late")
    assert roll["ended_by"] == "repaired"
    detail = json.loads(str(roll["detail"]))
    assert (detail["would_end"] - r.start) / HOUR == pytest.approx(ONSET_H + LASTS_H, rel=1e-6)


def test_a_roll_to_a_charger_with_no_fault_coming_is_wasted(field_run: Run) -> None:
    r = field_run
    [roll] = _rolls(r, "healthy")
    assert roll["ended_by"] == "wasted"
    assert json.loads(str(roll["detail"]))["note"] == "nothing_found"


def test_field_reports_close_the_tickets_with_their_outcome(field_run: Run) -> None:
    store = TicketStore(DataFolder(field_run.data).tickets_file)
    got = {role: store.get(tid) for role, tid in field_run.tickets.items()}
    assert {role: t.state for role, t in got.items()} == {
        "early": "resolved", "late": "resolved", "healthy": "false_alarm"}
    assert got["late"].resolved_cause == "HighTemperature"
    steps = [e["to_state"] for e in store.history(field_run.tickets["late"])]
    assert steps == ["open", "dispatched", "on_site", "resolved"]
