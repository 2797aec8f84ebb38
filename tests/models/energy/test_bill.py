"""Energy cost, monthly peak and demand charge on a hand-computed load."""

from __future__ import annotations

import numpy as np
import pytest

from models.energy.bill import bill, demand_intervals
from models.energy.errors import EnergyError


def test_demand_charges_on_a_hand_computed_two_months() -> None:
    load = np.array([10.0, 20.0, 5.0, 5.0])  # kW, one 15-minute interval each
    got = bill(load, 0.25, np.array([0.1, 0.2, 0.1, 0.1]),
               ["2021-01", "2021-01", "2021-02", "2021-02"], {"2021-01": 10.0, "2021-02": 20.0})
    assert got.energy_kwh == pytest.approx(10.0)  # 40 kW x 0.25 h
    assert got.energy_usd == pytest.approx(1.5)  # (1 + 4 + 0.5 + 0.5) x 0.25
    assert got.peaks_kw == pytest.approx({"2021-01": 20.0, "2021-02": 5.0})
    assert got.demand_usd == pytest.approx(300.0)  # 20 x 10 + 5 x 20
    assert got.total_usd == pytest.approx(301.5)


def test_the_peak_is_a_15_minute_average_not_an_instant() -> None:
    # 5-minute samples: a 30 kW spike for 5 minutes is a 10 kW demand interval.
    assert demand_intervals(np.array([0.0, 0.0, 30.0, 6.0, 6.0, 6.0]), 5 / 60) == pytest.approx(
        [10.0, 6.0])
    with pytest.raises(EnergyError, match="does not divide"):
        demand_intervals(np.zeros(4), 7 / 60)
