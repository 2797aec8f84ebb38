"""``cpo pipelines run`` stages only the days the lake holds: a lake in two stretches far apart
gets one staging run per stretch, only its own days materialised, and marts identical to a run
that staged every day between (an empty day has no staging rows; a charger silent over the gap
is offline over it either way, from its frames' own times)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from pipelines import day_chunks
from pipelines.launch import run
from tests.pipelines.lake_fixture import FixtureLake, at

FIRST = ["2025-11-03", "2025-11-04"]  # a replayed export, say
SECOND = ["2025-12-20", "2025-12-21", "2025-12-22"]  # 45 empty days later


def _lake(data_dir: Path) -> None:
    lake = FixtureLake(data_dir)
    tx = 1
    for cp in ("A", "B"):
        lake.boot16(at(f"{FIRST[0]} 07:00"), cp, interval=3600)
        lake.status16(at(f"{FIRST[0]} 07:01"), cp, 1, "Available")
    for days in (FIRST, SECOND):
        for day in days:
            for cp in ("A", "B"):
                for hour in range(8, 20):
                    lake.heartbeat(at(f"{day} {hour:02d}:00"), cp)
            lake.start16(at(f"{day} 09:00"), "A", 1, "TAG1", 1000, tx)
            lake.sample16(at(f"{day} 09:30"), "A", 1, tx, 4000, 7000)
            lake.stop16(at(f"{day} 10:00"), "A", tx, 9000)
            tx += 1
    # B faults on the last day of the first stretch and is back on the first of the second
    lake.status16(at(f"{FIRST[-1]} 18:00"), "B", 1, "Faulted", "GroundFailure")
    lake.status16(at(f"{SECOND[0]} 08:30"), "B", 1, "Available")
    lake.write()


VOLATILE = {"scored_at"}  # wall-clock stamps of the build, not data


def _marts(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = duckdb.connect(str(data_dir / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()]  # fmt: skip
        out = {}
        for n in sorted(names):
            rel = conn.execute(f'SELECT * FROM "{n}"')
            keep = [i for i, d in enumerate(rel.description) if d[0] not in VOLATILE]
            out[n] = sorted((tuple(r[i] for i in keep) for r in rel.fetchall()), key=repr)
        return out
    finally:
        conn.close()


def _staged_partitions(data_dir: Path) -> set[str]:
    with dg.DagsterInstance.get() as instance:
        return set(instance.get_materialized_partitions(dg.AssetKey("staging")))


@pytest.fixture
def lakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.delenv("CPO_PARTITIONS_START", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # prepare_home sets it; restored after
    a = tmp_path / "only_lake_days"
    _lake(a)
    b = tmp_path / "every_day"
    shutil.copytree(a, b)
    return a, b


def test_only_lake_days_are_staged_and_the_marts_are_unchanged(
    lakes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    only, every = lakes
    lines: list[str] = []
    summary = run(only, progress=lines.append)
    assert summary.ok, summary
    assert _staged_partitions(only) == set(FIRST + SECOND)
    assert any("2 stretches: 2025-11-03..2025-11-04, 2025-12-20..2025-12-22" in ln
               for ln in lines), lines
    staged = {p.name for p in (only / "warehouse" / "staging" / "stg_tx_events").iterdir()}
    assert staged == {f"date={d}" for d in FIRST + SECOND}

    # The old behaviour: one range over every day from the first to the last.
    monkeypatch.setattr(day_chunks, "lake_chunks", lambda days, workers: [(days[0], days[-1])])
    assert run(every, progress=lambda _: None).ok
    span = (at(SECOND[-1]) - at(FIRST[0])).days + 1
    assert len(_staged_partitions(every)) == span == 50

    got, want = _marts(only), _marts(every)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    # and the gap is not an outage the skipped staging made up: B's fault is the only one
    down = {r[0]: r for r in got["port_uptime_rolling"]}
    assert set(down) == {"A/1", "B/1"}


def test_a_day_the_lake_lost_loses_its_staging(
    lakes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    only, _ = lakes
    assert run(only, progress=lambda _: None).ok
    lost = SECOND[1]  # inside the range: re-staging it empty would have removed its partitions
    lake_day = only / "lake" / "ocpp_messages" / f"date={lost}"
    for table in ("ocpp_messages", "meter_values", "connection_events"):
        shutil.rmtree(only / "lake" / table / f"date={lost}", ignore_errors=True)
    assert not lake_day.exists()
    assert run(only, progress=lambda _: None).ok
    staged = {p.name for p in (only / "warehouse" / "staging" / "stg_tx_events").iterdir()}
    assert staged == {f"date={d}" for d in FIRST + SECOND if d != lost}


def test_lake_chunks_follow_the_stretches_and_the_workers() -> None:
    days = ["2014-11-03", "2014-11-04", "2014-11-05", "2026-01-01"]
    assert day_chunks.lake_chunks(days, 1) == [("2014-11-03", "2014-11-05"),
                                               ("2026-01-01", "2026-01-01")]  # fmt: skip
    assert day_chunks.lake_chunks(days, 3) == [("2014-11-03", "2014-11-04"),
                                               ("2014-11-05", "2014-11-05"),
                                               ("2026-01-01", "2026-01-01")]  # fmt: skip
    assert day_chunks.lake_chunks(["2026-01-01"], 4) == [("2026-01-01", "2026-01-01")]
    assert day_chunks.lake_chunks([], 2) == []


def test_a_silence_across_empty_days_is_found_whatever_range_is_staged(tmp_path: Path) -> None:
    """Staging the second stretch alone still measures the 45-day silence from the charger's
    last frame of the first stretch (prior_frames), as staging every day between would."""
    from pipelines.staging_sql import staging_sql_files
    from pipelines.warehouse import settings, staging_build
    from pipelines.warehouse.layout import Layout

    _lake(tmp_path)
    layout = Layout(tmp_path)
    sql = staging_sql_files()["stg_gaps"]
    staging_build.build_partitions(layout, "stg_gaps", sql, SECOND, settings.BuildSettings())
    conn = duckdb.connect()
    path = layout.staging("stg_gaps") / "*" / "*.parquet"
    gaps = conn.execute(f"SELECT charge_point_id, silent_from, silent_until FROM '{path}' "
                        "WHERE silent_until < TIMESTAMPTZ '2025-12-20 09:00:00+00' "
                        "ORDER BY 1").fetchall()
    assert gaps == [(cp, at(f"{FIRST[-1]} 19:00"), at(f"{SECOND[0]} 08:00"))
                    for cp in ("A", "B")]  # fmt: skip
