"""Utility tariffs: shipped copies, schedule parsing and the hourly price lookup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import ConfigFileError
from pipelines.tariffs import tables, utility

SHARED = Path(__file__).parents[3].parent / "shared" / "data" / "utility_tariffs"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not here")
def test_shipped_copies_equal_shared_files() -> None:
    shared = {p.name: p.read_bytes() for p in SHARED.glob("*.json")}
    shipped = {p.name: p.read_bytes() for p in utility.SHIPPED_DIR.glob("*.json")}
    assert shipped == shared
    assert (utility.SHIPPED_DIR / "NOTICE.md").is_file()


@pytest.fixture(scope="module")
def tariffs() -> dict[str, utility.UtilityTariff]:
    return utility.load()


def test_names_resolve_to_the_latest_file(tariffs: dict[str, utility.UtilityTariff]) -> None:
    # Both SCE TOU-EV-8 files say effective 2018-10-12; the june_2019 file is the later one.
    assert utility.resolve(tariffs, "SCE TOU-EV-8") == "sce_tou_ev_8_june_2019"
    assert utility.resolve(tariffs, "pge a-10 tou") == "pge_a10_tou_aug_2019"
    assert utility.resolve(tariffs, "sce_tou_ev_8_oct_2018") == "sce_tou_ev_8_oct_2018"
    assert utility.resolve(tariffs, "Nope") is None


@pytest.mark.parametrize(
    ("local", "price", "demand"),
    [
        # SCE TOU-EV-8 (june_2019): summer 06-01..9-30, winter 10-01..5-31 (wraps the year end)
        (datetime(2026, 5, 31, 16), 0.297, 0.0),  # Sunday, last winter day, 16-21 band
        (datetime(2026, 6, 1, 16), 0.49619, 0.0),  # Monday, first summer day: weekday peak
        (datetime(2026, 6, 6, 16), 0.25563, 0.0),  # Saturday in summer: weekend peak
        (datetime(2026, 6, 1, 15), 0.12597, 0.0),  # 15:00 is before the 16:00 boundary
        (datetime(2026, 9, 30, 20), 0.49619, 0.0),  # Wednesday, last summer day, 20:00
        (datetime(2026, 10, 1, 20), 0.297, 0.0),  # Thursday, first winter day
        (datetime(2026, 12, 31, 10), 0.07724, 0.0),  # winter across the year end: 08-16 band
        (datetime(2027, 1, 1, 7), 0.13568, 0.0),  # 00-08 band
    ],
)
def test_sce_tou_ev_8_lookup(
    tariffs: dict[str, utility.UtilityTariff], local: datetime, price: float, demand: float
) -> None:
    assert tariffs["sce_tou_ev_8_june_2019"].price(local) == pytest.approx((price, demand))


@pytest.mark.parametrize(
    ("local", "price", "demand"),
    [
        (datetime(2026, 5, 1, 12), 0.23223, 19.99),  # Friday, first summer day, 12-18 peak
        (datetime(2026, 5, 2, 12), 0.14903, 19.99),  # Saturday in summer: flat weekend
        (datetime(2026, 4, 30, 12), 0.1477, 11.66),  # Thursday, last winter day, 08:30-21:30
        # Winter Saturday: both winter entries say ALL, the first ("Winter-Weekday") wins, so the
        # 08:30-21:30 band applies, not the flat 0.13064 of "Winter-Weekend".
        (datetime(2026, 1, 10, 12), 0.1477, 11.66),
        # 08:00-09:00 straddles the 08:30 boundary: (0.5 x 0.13064 + 0.5 x 0.1477) = 0.13917
        (datetime(2026, 1, 12, 8), 0.13917, 11.66),
    ],
)
def test_pge_a10_lookup(
    tariffs: dict[str, utility.UtilityTariff], local: datetime, price: float, demand: float
) -> None:
    assert tariffs["pge_a10_tou_aug_2019"].price(local) == pytest.approx((price, demand))


def test_utility_prices_table() -> None:
    conn = duckdb.connect()
    tables.build_utility_prices(conn, None)
    # 366 month-days (leap year) x 2 day types x 24 hours, per tariff file
    counts = dict(
        conn.execute("SELECT utility_tariff, count(*) FROM utility_prices GROUP BY 1").fetchall()
    )
    assert counts["pge_a10_tou_aug_2019"] == 366 * 2 * 24
    row = conn.execute(
        "SELECT usd_per_kwh, demand_charge_usd_per_kw, schedule_entry FROM utility_prices "
        "WHERE utility_tariff = 'pge_a10_tou_aug_2019' AND month_day = 1101 "
        "AND day_type = 'weekend' AND hour = 21"
    ).fetchall()
    # 21:00-22:00 straddles 21:30: 0.5 x 0.1477 + 0.5 x 0.13064 = 0.13917
    assert row == [(pytest.approx(0.13917), 11.66, "Winter-Weekday")]


def test_bad_schedule_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "utility_tariffs"
    folder.mkdir()
    (folder / "x.json").write_text(
        '{"name": "X", "effective": "2020-01-01", "schedule": [{"effective_start": "13-01",'
        ' "effective_end": "12-31", "dow_mask": "ALL", "times": [0], "tariffs": [0.1]}]}'
    )
    with pytest.raises(ConfigFileError, match="not a MM-DD date"):
        utility.load(tmp_path)
    (folder / "x.json").write_text(
        '{"name": "X", "effective": "2020-01-01", "schedule": [{"effective_start": "01-01",'
        ' "effective_end": "12-31", "dow_mask": "SOMETIMES", "times": [0], "tariffs": [0.1]}]}'
    )
    with pytest.raises(ConfigFileError, match="dow_mask"):
        utility.load(tmp_path)
