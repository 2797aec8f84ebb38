"""The pure parts: the what-if model, the hour-of-week shares, number formats, advice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard import advice, fmt, whatif
from dashboard.filters import Filters
from dashboard.queries.planning import hour_of_week
from dashboard.warehouse import plain_runner

BASE = whatif.Base(
    sessions=100,
    kwh=1000,
    energy_revenue=400,
    time_revenue=0,
    idle_fees=100,
    flat_revenue=0,
    energy_cost=200,
    roaming_fee=50,
    charging_min=3000,
    idle_min=1000,
)


def test_price_up_21_percent_with_elasticity_minus_half() -> None:
    new = whatif.project(BASE, 0.21, 0.0, elasticity=-0.5)
    # 1.21^-0.5 = 1/1.1: sessions 100/1.1; energy revenue 400 x 1.21 / 1.1 = 440
    assert new.sessions == pytest.approx(100 / 1.1)
    assert new.energy_revenue == pytest.approx(440)
    assert new.idle_fees == pytest.approx(100 / 1.1)
    assert new.energy_cost == pytest.approx(200 / 1.1)
    assert new.occupied_min == pytest.approx(4000 / 1.1)


def test_idle_fee_quadrupled_halves_idle_minutes() -> None:
    new = whatif.project(BASE, 0.0, 3.0, idle_elasticity=-0.5)
    # 4^-0.5 = 0.5: idle minutes 500, idle fees 100 x 4 x 0.5 = 200, revenue 600,
    # roaming keeps its share: 50 x 600 / 500 = 60, margin 600 - 200 - 60 = 340
    assert new.sessions == pytest.approx(100)
    assert new.idle_min == pytest.approx(500)
    assert new.idle_fees == pytest.approx(200)
    assert new.roaming_fee == pytest.approx(60)
    assert new.margin == pytest.approx(340)


def test_price_cannot_fall_100_percent() -> None:
    with pytest.raises(ValueError, match="less than 100"):
        whatif.project(BASE, -1.0, 0.0)


def test_hour_of_week_share(fixture_dir: Path) -> None:
    run = plain_runner(fixture_dir / "warehouse" / "marts")
    f = Filters(start=date(2026, 1, 5), end=date(2026, 1, 12))
    grid = hour_of_week(run, f).set_index(["local_dow", "local_hour"])["share"]
    assert len(grid) == 7 * 24
    # 60 min on Monday 08:00; 4 ports x 2 Mondays (5th, 12th) x 60 min
    assert grid[(1, 8)] == pytest.approx(60 / (4 * 2 * 60))
    assert grid[(2, 8)] == 0
    only_a = Filters(start=date(2026, 1, 5), end=date(2026, 1, 11), sites=("A",))
    assert hour_of_week(run, only_a).set_index(["local_dow", "local_hour"])["share"][
        (1, 8)
    ] == pytest.approx(60 / (2 * 1 * 60))


def test_formats() -> None:
    assert fmt.money(1234567) == "$1.23 M"
    assert fmt.money(12345.6) == "$12,346"
    assert fmt.money(-3.5) == "-$3.50"
    assert fmt.kwh(250_000) == "250.0 MWh"
    assert fmt.count(float("nan")) == "–"
    assert fmt.delta_pct(150, 100) == "+50 % vs last week"
    assert fmt.delta_pct(1, 0) is None


def test_advice_reasons() -> None:
    ranking = pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3", "S4"],
            "ports": [4, 6, 2, 8],
            "time_util": [0.5, 0.4, 0.45, 0.02],
            "saturation": [0.2, 0.06, 0.01, 0.0],
            "saturated_h_week": [33.6, 10.1, 1.7, 0.0],
        }
    )
    recs = advice.recommend(ranking)
    assert [(s, w) for s, w, _ in recs] == [
        ("S1", "add ports"),
        ("S2", "add ports"),
        ("S3", "watch"),
        ("S1", "new site nearby"),
        ("S4", "do not expand"),
    ]
    assert "busy 20% of the time (~33.6 h a week)" in recs[0][2]
