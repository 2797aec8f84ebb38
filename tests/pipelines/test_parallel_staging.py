"""`cpo pipelines run --workers 2` gives what one worker gives, records every day, and names the
days of a worker that failed.

Four lake days with sessions, faults and silences across every midnight, including the one
between the two workers' ranges (03-02 | 03-03): each worker reads its neighbours' days.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry, registry_path
from pipelines import run_tags
from pipelines.run_watch import RunSummary
from pipelines.runner import run
from tests.pipelines.lake_fixture import FixtureLake, at
from workbench.cli import app

DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
runner = CliRunner()


def build_lake(data_dir: Path) -> None:
    with Registry(registry_path(data_dir)) as reg:
        reg.add_charge_point(ChargePoint("A", site="S1", connectors=2, rated_kw=11.0))
        reg.add_charge_point(ChargePoint("B", site="S1", connectors=2, rated_kw=50.0))
        reg.add_id_tag(IdTag("TAG-ROAM", partner="EMSP-X"))
    lake = FixtureLake(data_dir)
    for i, day in enumerate(DAYS):
        last = i == len(DAYS) - 1
        morning = at(f"{day} 08:00")
        for cp in ("A", "B"):
            lake.boot16(morning, cp)
            lake.status16(morning + timedelta(minutes=1), cp, 1, "Available")
            for hour in range(9, 24, 3):
                lake.heartbeat(at(f"{day} {hour:02}:00"), cp)
        # A: a session from 22:30 to 00:20 the next day (the last day: to 23:55).
        start, wh = at(f"{day} 22:30"), 10_000 * i
        end = start + timedelta(minutes=85 if last else 110)
        lake.start16(start, "A", 1, "tag-roam", wh, 100 + i)
        # Peak power differs by day: a tie would make the demand peak's time arbitrary.
        lake.sample16(start + timedelta(minutes=30), "A", 1, 100 + i, wh + 3000, 7000 + 100 * i)
        lake.stop16(end, "A", 100 + i, wh + 6000)
        # B: a fault from 23:50 to 00:40 the next day; then silent until the next morning.
        lake.status16(at(f"{day} 23:50"), "B", 1, "Faulted", "GroundFailure")
        if not last:
            lake.status16(at(f"{day} 23:50") + timedelta(minutes=50), "B", 1, "Available")
    lake.write()


def staging_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "warehouse" / "staging"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, RunSummary]]:
    out: dict[int, tuple[Path, RunSummary]] = {}
    for workers in (1, 2):
        data_dir = tmp_path_factory.mktemp(f"w{workers}")
        build_lake(data_dir)
        lines: list[str] = []
        summary = run(data_dir, progress=lines.append, workers=workers)
        assert summary.ok, (summary, lines)
        out[workers] = (data_dir, summary)
    return out


def test_two_workers_write_byte_identical_staging(
    built: dict[int, tuple[Path, RunSummary]],
) -> None:
    one, two = staging_files(built[1][0]), staging_files(built[2][0])
    assert sorted(one) == sorted(two)
    assert {Path(f).parts[1] for f in one} == {f"date={d}" for d in DAYS}
    assert [f for f in one if one[f] != two[f]] == []
    assert built[1][1].rows["staging"] == built[2][1].rows["staging"] > 0


def comparable(conn: duckdb.DuckDBPyConnection, parquet: Path) -> str:
    """A SELECT of the file with floats to 12 significant digits: DuckDB sums in parallel, in
    no fixed order, so two builds (even two 1-worker builds) can differ in the last bit."""
    columns = conn.execute(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()
    select = [
        f"printf('%.12g', \"{name}\") AS \"{name}\"" if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind, *_ in columns
    ]
    return f"SELECT {', '.join(select)} FROM read_parquet('{parquet}')"


def test_two_workers_build_identical_marts(built: dict[int, tuple[Path, RunSummary]]) -> None:
    marts_one = built[1][0] / "warehouse" / "marts"
    marts_two = built[2][0] / "warehouse" / "marts"
    names = sorted(p.name for p in marts_one.glob("*.parquet"))
    assert names == sorted(p.name for p in marts_two.glob("*.parquet"))
    assert "sessions.parquet" in names
    conn = duckdb.connect()
    for name in names:
        a, b = comparable(conn, marts_one / name), comparable(conn, marts_two / name)
        differ = conn.sql(
            f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}))"
        ).fetchall()[0][0]
        assert differ == 0, name
    sessions = conn.sql(f"SELECT count(*) FROM read_parquet('{marts_two / 'sessions.parquet'}')")
    assert sessions.fetchall()[0][0] == len(DAYS)


def test_every_day_is_materialised_once_by_its_worker_run(
    built: dict[int, tuple[Path, RunSummary]],
) -> None:
    data_dir = built[2][0]
    with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        key = dg.AssetKey("staging")
        assert instance.get_materialized_partitions(key) == set(DAYS)
        records = instance.fetch_materializations(key, limit=100).records
        by_run: dict[str, list[str]] = {}
        for r in records:
            event = r.event_log_entry.dagster_event
            assert event is not None
            by_run.setdefault(r.run_id, []).append(str(event.partition))
        runs = instance.get_run_records(dg.RunsFilter(job_name="stage_days"))
    assert sorted(d for days in by_run.values() for d in days) == DAYS  # once each
    assert sorted(sorted(days) for days in by_run.values()) == [DAYS[:2], DAYS[2:]]
    assert {r.dagster_run.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert len({r.dagster_run.tags[run_tags.BATCH] for r in runs}) == 1
    assert sorted(r.dagster_run.tags[run_tags.WORKER] for r in runs) == ["1/2", "2/2"]


def test_a_failing_day_fails_its_worker_with_its_days(tmp_path: Path) -> None:
    build_lake(tmp_path)
    bad = tmp_path / "lake" / "ocpp_messages" / f"date={DAYS[-1]}" / "part-t-broken.parquet"
    bad.write_bytes(b"not parquet")  # read by the second worker (03-03..03-04) only
    args = ["pipelines", "run", "--data-dir", str(tmp_path), "--workers", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"staging {DAYS[2]}..{DAYS[3]}" in result.output
    assert "FAILED" in result.output
    assert f"1 step(s) failed: staging {DAYS[2]}..{DAYS[3]}" in result.output
    assert "Traceback" not in result.output
    # The other worker's days were staged; the marts were not built over a partial staging.
    staged = tmp_path / "warehouse" / "staging" / "stg_status"
    assert {p.name for p in staged.iterdir()} == {f"date={DAYS[0]}", f"date={DAYS[1]}"}
    assert not (tmp_path / "warehouse" / "marts").exists()


@pytest.mark.parametrize("workers", [0, (os.cpu_count() or 1) * 4 + 1])
def test_workers_out_of_range_is_one_clear_line(tmp_path: Path, workers: int) -> None:
    args = ["pipelines", "run", "--data-dir", str(tmp_path), "--workers", str(workers)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"--workers {workers} is out of range: give 1 to {(os.cpu_count() or 1) * 4}" in (
        result.output
    )
    assert "Traceback" not in result.output
