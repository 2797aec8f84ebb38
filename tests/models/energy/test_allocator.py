"""The allocator on hand-computed cases: two cars under one limit, a circuit tree, a departure
that cannot be met, and the demand charge traded against time-of-use prices."""

from __future__ import annotations

import numpy as np
import pytest

from models.energy.baselines import equal_share, uncontrolled
from models.energy.errors import SiteModelError
from models.energy.optimiser import Horizon, optimise
from models.energy.sessions import OpenSession
from models.energy.site import build_site


def _two_cars(limit: float = 10.0, cap_a: float = 7.0) -> tuple:
    site = build_site("s", limit, chargers={"a": (None, cap_a), "b": (None, 7.0)})
    cars = [OpenSession("A", "a", 50.0, 7.0), OpenSession("B", "b", 50.0, 7.0)]
    return site, cars


def test_two_cars_one_limit_share_it_equally() -> None:
    site, cars = _two_cars()
    assert uncontrolled(site, cars) == pytest.approx({"A": 7.0, "B": 7.0})
    assert equal_share(site, cars) == pytest.approx({"A": 5.0, "B": 5.0})


def test_a_slower_car_leaves_its_share_to_the_other() -> None:
    site, cars = _two_cars(limit=8.0, cap_a=3.0)
    assert equal_share(site, cars) == pytest.approx({"A": 3.0, "B": 5.0})


def test_a_full_car_draws_nothing() -> None:
    site = build_site("s", 10.0, chargers={"a": (None, 7.0), "b": (None, 7.0)})
    cars = [OpenSession("A", "a", 0.0, 7.0), OpenSession("B", "b", 5.0, 7.0)]
    assert equal_share(site, cars) == pytest.approx({"A": 0.0, "B": 7.0})


def _tree() -> tuple:
    site = build_site(
        "s", 20.0,
        feeders={"f1": (None, 8.0), "f2": (None, 20.0)},
        chargers={"a": ("f1", 7.0), "b": ("f1", 7.0), "c": ("f2", 7.0), "d": ("f2", 7.0)},
    )
    cars = [OpenSession(x.upper(), x, 30.0, 11.0) for x in "abcd"]
    return site, cars


def test_equal_share_in_a_circuit_tree() -> None:
    # All rise to 4 kW, where feeder f1 (8 kW) is full; c and d rise on until the site's 20 kW.
    site, cars = _tree()
    assert equal_share(site, cars) == pytest.approx({"A": 4.0, "B": 4.0, "C": 6.0, "D": 6.0})


def test_the_optimiser_keeps_every_circuit_limit_in_every_period() -> None:
    site, cars = _tree()
    plan = optimise(site, cars, Horizon(step_h=1.0, prices=np.full(6, 0.2)))
    sched = {k: np.array(v) for k, v in plan.schedule_kw.items()}
    assert np.all(sched["A"] + sched["B"] <= 8.0 + 1e-6)
    assert np.all(sum(sched.values()) <= 20.0 + 1e-6)
    assert np.all(sched["C"] <= 7.0 + 1e-6)
    # 4 x 30 kWh = 120 kWh fits in 6 h x 20 kW, f1's 60 kWh in 6 h x 8 kW = 48 kWh does not.
    assert sum(plan.unmet_kwh.values()) == pytest.approx(12.0, rel=1e-6)
    assert plan.unmet_kwh["A"] + plan.unmet_kwh["B"] == pytest.approx(12.0, rel=1e-6)


def test_cheap_hours_are_used_and_the_earlier_departure_is_served_first() -> None:
    # B must have 10 kWh within 2 h at <= 7 kW: 3 kWh in the dear first hour, 7 in the cheap
    # second. A (10 kWh by 4 h) takes the cheap hours that are left: 3 in hour 2, 7 in hour 3.
    site, _ = _two_cars()
    cars = [OpenSession("A", "a", 10.0, 7.0, departure_h=4.0),
            OpenSession("B", "b", 10.0, 7.0, departure_h=2.0)]
    prices = np.array([0.5, 0.1, 0.1, 0.5])
    plan = optimise(site, cars, Horizon(step_h=1.0, prices=prices))
    assert plan.rates_kw == pytest.approx({"A": 0.0, "B": 3.0}, abs=1e-6)
    assert plan.schedule_kw["B"] == pytest.approx([3.0, 7.0], abs=1e-6)
    assert plan.schedule_kw["A"] == pytest.approx([0.0, 3.0, 7.0, 0.0], abs=1e-6)
    cost = sum(float(np.dot(prices[: len(v)], v)) for v in plan.schedule_kw.values())
    assert cost == pytest.approx(3.2, rel=1e-6)
    assert sum(plan.unmet_kwh.values()) == pytest.approx(0.0, abs=1e-6)


def test_the_demand_charge_flattens_the_load_down_to_the_months_peak() -> None:
    site = build_site("s", 50.0, chargers={"a": (None, 7.0)})
    car = [OpenSession("A", "a", 8.0, 7.0, departure_h=4.0)]
    flat = Horizon(step_h=1.0, prices=np.full(4, 0.1), demand_rate=10.0)
    assert optimise(site, car, flat).peak_kw == pytest.approx(2.0, rel=1e-6)
    # A 3 kW peak is already paid for this month: charge at it, as early as possible.
    floor = Horizon(step_h=1.0, prices=np.full(4, 0.1), demand_rate=10.0, peak_floor_kw=3.0)
    plan = optimise(site, car, floor)
    assert plan.schedule_kw["A"] == pytest.approx([3.0, 3.0, 2.0, 0.0], abs=1e-6)


def test_a_departure_that_cannot_be_met_gets_best_effort_and_is_reported() -> None:
    site = build_site("s", 5.0, chargers={"a": (None, 7.0), "b": (None, 7.0)})
    cars = [OpenSession("A", "a", 10.0, 7.0, departure_h=1.0),
            OpenSession("B", "b", 2.0, 7.0, departure_h=3.0)]
    plan = optimise(site, cars, Horizon(step_h=1.0, prices=np.full(3, 0.2)))
    # Only 5 kWh fit in A's one hour: it gets all of them, B waits, and A's 5 kWh are reported.
    assert plan.rates_kw == pytest.approx({"A": 5.0, "B": 0.0}, abs=1e-6)
    assert plan.unmet_kwh == pytest.approx({"A": 5.0, "B": 0.0}, abs=1e-6)


def test_building_load_counts_against_the_grid_limit_and_the_peak() -> None:
    site = build_site("s", 10.0, chargers={"a": (None, 7.0)})
    car = [OpenSession("A", "a", 20.0, 7.0, departure_h=2.0)]
    horizon = Horizon(step_h=1.0, prices=np.full(2, 0.1), base_kw=np.array([6.0, 2.0]))
    plan = optimise(site, car, horizon)
    assert plan.schedule_kw["A"] == pytest.approx([4.0, 7.0], abs=1e-6)
    assert plan.unmet_kwh["A"] == pytest.approx(9.0, rel=1e-6)


def test_a_site_model_that_is_not_a_tree_is_refused() -> None:
    with pytest.raises(SiteModelError, match="its own ancestor"):
        build_site("s", 10.0, feeders={"x": ("y", 5.0), "y": ("x", 5.0)})
    with pytest.raises(SiteModelError, match="unknown circuit"):
        build_site("s", 10.0, chargers={"a": ("nowhere", 7.0)})
    with pytest.raises(SiteModelError, match="negative"):
        build_site("s", -1.0)
