"""The site replay on a hand-computed workload, and acnportal's simulator on the same cars."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from evaluation.energy.replay import ReplayResult, replay
from evaluation.energy.workload import Arrival, Workload, workload
from models.energy.site import build_site

SITE = build_site("s", 10.0, chargers={"a": (None, 7.0), "b": (None, 7.0)})
START = datetime(2021, 8, 2, tzinfo=ZoneInfo("America/Los_Angeles"))


def _work(departure: int) -> Workload:
    cars = (Arrival("A", "a", 0, departure, 5.0), Arrival("B", "b", 0, departure, 5.0))
    return Workload(START, 5, departure + 1, cars, ("a", "b"))


def _run(algorithm: str, departure: int, rate: float = 0.0) -> ReplayResult:
    work = _work(departure)
    flat = np.full(work.steps, 0.1)
    return replay(SITE, work, algorithm, flat, np.full(work.steps, rate), 7.0)


def test_uncontrolled_takes_full_power_and_breaks_the_limit() -> None:
    r = _run("uncontrolled", 12)
    # 7 kW each: 0.583 kWh per 5 min, 8 steps = 4.667 kWh, then the last 0.333 kWh at 4 kW.
    assert r.load_kw[:8] == pytest.approx([14.0] * 8)
    assert r.load_kw[8] == pytest.approx(8.0)
    assert r.max_circuit_excess_kw == pytest.approx(4.0)


def test_equal_share_stays_at_the_limit_for_the_hour() -> None:
    r = _run("equal_share", 12)
    assert r.load_kw[:12] == pytest.approx([10.0] * 12)
    assert r.max_circuit_excess_kw <= 1e-9
    assert r.delivered_kwh == pytest.approx({"A": 5.0, "B": 5.0})


def test_the_optimiser_flattens_two_hours_to_half_the_power() -> None:
    r = _run("optimiser", 24, rate=15.0)
    assert float(np.max(r.load_kw)) == pytest.approx(5.0, rel=1e-6)  # 10 kWh over 2 h
    assert sum(r.delivered_kwh.values()) == pytest.approx(10.0, rel=1e-6)
    assert r.decisions == 24


def test_acn_items_become_a_feasible_workload() -> None:
    items = [{"connectionTime": "Mon, 02 Aug 2021 15:00:00 GMT",
              "disconnectTime": "Mon, 02 Aug 2021 16:00:00 GMT", "kWhDelivered": 30.0,
              "sessionID": "x", "spaceID": "CA-1"}]
    work = workload(items, "2021-08", charger_kw=6.0)
    [car] = work.arrivals
    assert car.energy_kwh == pytest.approx(6.0)  # capped at 1 h at 6 kW
    assert car.departure - car.arrival == 12


def test_acnportal_sees_the_same_cars() -> None:
    pytest.importorskip("acnportal")  # the bench dependency group: uv run --group bench
    from evaluation.energy.acn import algorithms, run_acn

    work = _work(12)
    load, delivered = run_acn(work, algorithms()["acn_llf"], ["a", "b"], 7.0, 10.0)
    assert delivered == pytest.approx(10.0, rel=1e-3)
    assert float(np.max(load)) <= 10.0 + 1e-6
