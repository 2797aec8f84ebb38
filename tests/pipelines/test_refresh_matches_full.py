"""The live refresh (changed staging days only, failure_features incremental, config tables
kept) gives the same marts, row by row, as a full ``cpo pipelines run`` of the same lake."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from ingest.data_folder import DataFolder
from ingest.lake.schemas import TABLES, partition_column
from pipelines.launch import run as run_pipelines
from pipelines.launch.refresh import Refresher
from pipelines.warehouse.layout import Layout
from workbench.cli import app

# When a row was computed (wall clock), not what it says.
WALL_CLOCK = {"predictions": ["scored_at"]}
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]


def _move_days(lake: Path, days: list[str], to: Path) -> None:
    """Move every table's ``date=<day>`` folders of ``days`` from ``lake`` to ``to``."""
    for table in (p for p in lake.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for day in days:
            source = table / f"date={day}"
            if source.is_dir():
                (to / table.name).mkdir(parents=True, exist_ok=True)
                shutil.move(source, to / table.name / source.name)


def _land_half(held: Path, lake: Path, day: str, afternoon: bool) -> None:
    """Land the morning (before 12:00 UTC) of a held day, or its afternoon, as a new part file
    per table: a live lake grows like that."""
    noon = f"{day} 12:00:00+00"
    for table in (p for p in held.iterdir() if (p / f"date={day}").is_dir()):
        column = partition_column(TABLES[table.name])
        target = lake / table.name / f"date={day}"
        target.mkdir(parents=True, exist_ok=True)
        keep = f">= '{noon}'" if afternoon else f"< '{noon}'"
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{table}/date={day}/*.parquet') "
                          f"WHERE \"{column}\" {keep}")
        rows.write_parquet(str(target / f"part-{'pm' if afternoon else 'am'}.parquet"))


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order: by every column, floats last (they may differ in their last bits)."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    others = [c for c in frame.columns if c not in floats]
    return frame.sort(others + floats, nulls_last=True)


def assert_same_marts(left: Layout, right: Layout) -> None:
    names = sorted(p.stem for p in right.marts.glob("*.parquet"))
    assert names == sorted(p.stem for p in left.marts.glob("*.parquet"))
    for name in names:
        drop = WALL_CLOCK.get(name, [])
        a = _sorted(pl.read_parquet(left.mart_file(name)).drop(drop))
        b = _sorted(pl.read_parquet(right.mart_file(name)).drop(drop))
        assert_frame_equal(a, b, check_exact=False, rel_tol=1e-9, abs_tol=1e-9,
                           check_row_order=True)


@pytest.mark.slow
def test_refresh_day_by_day_equals_a_full_build(tmp_path: Path) -> None:
    full = tmp_path / "full"
    done = CliRunner().invoke(app, ["simulate", "--data-dir", str(full), "--sites", "2",
                                    "--chargers", "4", "--days", "4", "--faults", "20"])
    assert done.exit_code == 0, done.output
    live = tmp_path / "live"
    shutil.copytree(full, live)
    held = tmp_path / "held"
    lake = DataFolder(live).local_lake
    _move_days(lake, DAYS[2:], held)  # the live folder starts with two days
    assert run_pipelines(live, progress=lambda _: None).ok

    refresher = Refresher(live)
    try:
        first = refresher.refresh(DAYS[0], DAYS[1])
        assert first.ok, first.failed
        assert first.incremental_from is None  # a new refresher's first refresh is whole
        for day in DAYS[2:-1]:  # then a day lands at a time, each refreshed incrementally
            _move_days(held, [day], lake)
            refreshed = refresher.refresh(DAYS[0], day)
            assert refreshed.ok, refreshed.failed
            assert refreshed.incremental_from is not None
            assert day in refreshed.days
            assert DAYS[0] not in refreshed.days  # unchanged lake days are not re-staged
        last = DAYS[-1]  # and the last day in two halves, as a live lake grows
        for afternoon in (False, True):
            _land_half(held, lake, last, afternoon)
            refreshed = refresher.refresh(DAYS[0], last)
            assert refreshed.ok, refreshed.failed
        assert refreshed.days == [last]  # the afternoon cannot change the day before's staging
    finally:
        refresher.close()

    assert run_pipelines(full, progress=lambda _: None).ok
    assert_same_marts(Layout(live), Layout(full))
