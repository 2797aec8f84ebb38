"""The issue's targets on one real month: the Caltech sessions of February 2021 (ACN-Data,
Caltech; Lee, Li and Low, e-Energy 2019) replayed into the Caltech-like site."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.energy.replay import replay
from evaluation.energy.workload import prices, read_acn_items, workload
from models.energy.bill import bill
from models.energy.site import build_site
from pipelines.tariffs.utility import load as load_tariffs

SESSIONS = Path(__file__).parents[3].parent / "shared" / "data" / (
    "acn_caltech_sessions_2020-2021.json")
CHARGER_KW = 32 * 208 / 1000


@pytest.mark.slow
def test_february_2021_meets_the_targets() -> None:
    if not SESSIONS.is_file():
        pytest.skip(f"no shared data at {SESSIONS}")
    work = workload(read_acn_items(SESSIONS), "2021-02", CHARGER_KW)
    chargers = [*work.stations, *(f"idle-{n}" for n in range(54 - len(work.stations)))]
    site = build_site("caltech", 150.0, chargers={c: (None, CHARGER_KW) for c in chargers})
    price, rate = prices(load_tariffs()["sce_tou_ev_4_march_2019"], work.step_times())
    bills, delivered = {}, {}
    for name in ("uncontrolled", "optimiser"):
        r = replay(site, work, name, price, rate, CHARGER_KW)
        if name == "optimiser":
            assert r.max_circuit_excess_kw <= 1e-6  # never above the 150 kW transformer
        bills[name] = bill(r.load_kw, 5 / 60, price, ["2021-02"] * work.steps,
                           {"2021-02": float(rate[0])})
        delivered[name] = sum(r.delivered_kwh.values()) / sum(r.requested_kwh.values())
    assert delivered["optimiser"] >= 0.98
    peak = {n: b.peaks_kw["2021-02"] for n, b in bills.items()}
    assert peak["optimiser"] <= 0.7 * peak["uncontrolled"]
    assert bills["optimiser"].total_usd < bills["uncontrolled"].total_usd
