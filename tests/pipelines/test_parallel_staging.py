"""`cpo pipelines run --workers 2` stages what one range gives, byte for byte, records every
day once, prints a line per table as each worker goes, and names the days of a worker that
failed.

One real 2-worker run (worker processes, Dagster runs on the data folder's instance, then the
marts) on the four-day lake of :mod:`tests.pipelines.parallel_lake`; the reference is the same
lake staged in one range in this process, as a 1-worker run does (the same code, without the
cost of a second full run).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import run_tags
from pipelines.launch import RunSummary, run
from pipelines.staging_sql import staging_sql_files
from tests.pipelines.parallel_lake import (
    DAYS,
    build_lake,
    stage_in_one_range,
    staging_files,
)
from workbench.cli import app

pytestmark = pytest.mark.slow  # module fixtures that build a lake

runner = CliRunner()
RANGES = [f"{DAYS[0]}..{DAYS[1]}", f"{DAYS[2]}..{DAYS[3]}"]


@dataclass
class Built:
    data_dir: Path  # staged by 2 workers, then the marts
    summary: RunSummary
    lines: list[str]
    reference: Path  # staged in one range
    reference_rows: dict[str, int]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    source = tmp_path_factory.mktemp("source")
    build_lake(source)
    data_dir, reference = tmp_path_factory.mktemp("w2"), tmp_path_factory.mktemp("w1")
    for target in (data_dir, reference):
        shutil.copytree(source, target, dirs_exist_ok=True)
    lines: list[str] = []
    summary = run(data_dir, progress=lines.append, workers=2)
    assert summary.ok, (summary, lines)
    return Built(data_dir, summary, lines, reference, stage_in_one_range(reference))


def test_two_workers_write_byte_identical_staging(built: Built) -> None:
    one, two = staging_files(built.reference), staging_files(built.data_dir)
    assert sorted(one) == sorted(two)
    assert {Path(f).parts[1] for f in one} == {f"date={d}" for d in DAYS}
    assert [f for f in one if one[f] != two[f]] == []
    assert built.summary.rows["staging"] == sum(built.reference_rows.values()) > 0


def test_each_worker_prints_a_line_per_table_then_the_marts_build_once(built: Built) -> None:
    tables = list(staging_sql_files())
    for i, days in enumerate(RANGES, start=1):
        assert any(f"worker {i}/2: staging {days} (run " in line for line in built.lines)
        done = [
            line.split()[2]
            for line in built.lines
            if re.search(rf"\s{re.escape(days)}\s+[\d,]+ rows  \d/{len(tables)}$", line)
        ]
        assert done == tables, built.lines
        step = rf"s  staging {re.escape(days)}\s+[\d,]+ rows$"
        assert any(re.search(step, line) for line in built.lines)
    sessions = built.data_dir / "warehouse" / "marts" / "sessions.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM '{sessions}'").fetchall() == [(len(DAYS),)]
    assert sum(" sessions " in line for line in built.lines) == 1


def test_every_day_is_materialised_once_by_its_worker_run(built: Built) -> None:
    with dg.DagsterInstance.from_config(str(built.data_dir / "dagster_home")) as instance:
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
    assert f"staging {RANGES[1]}" in result.output
    assert "FAILED" in result.output
    assert f"1 step(s) failed: staging {RANGES[1]}" in result.output
    assert "Traceback" not in result.output
    # The other worker's days were staged; the marts were not built over a partial staging.
    staged = tmp_path / "warehouse" / "staging" / "stg_status"
    assert {p.name for p in staged.iterdir()} == {f"date={DAYS[0]}", f"date={DAYS[1]}"}
    assert not (tmp_path / "warehouse" / "marts").exists()


MOST = (os.cpu_count() or 1) * 4


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "--workers 0 is out of range"),
        ("-2", "--workers -2 is out of range"),
        (str(MOST + 1), f"--workers {MOST + 1} is out of range"),
        ("two", "--workers 'two' is not a whole number"),
        ("1.5", "--workers '1.5' is not a whole number"),
    ],
)
def test_a_bad_workers_value_is_one_clear_line(tmp_path: Path, value: str, problem: str) -> None:
    args = ["pipelines", "run", "--data-dir", str(tmp_path), f"--workers={value}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"error: {problem}: give 1 to {MOST} (up to 4 per CPU; " in result.output
    assert "Traceback" not in result.output
    assert "pipelines on" not in result.output  # checked before anything starts


def test_each_run_records_a_typed_event_per_table_and_its_data_folder(built: Built) -> None:
    """The progress lines come from asset observations read by type, and the run config names
    the data folder (a step process needs no CPO_DATA_DIR)."""
    from pipelines import staging_progress

    tables = list(staging_sql_files())
    with dg.DagsterInstance.from_config(str(built.data_dir / "dagster_home")) as instance:
        runs = instance.get_run_records(dg.RunsFilter(job_name="stage_days"))
        assert len(runs) == 2
        for record in runs:
            run = record.dagster_run
            config = run.run_config["resources"]["warehouse"]["config"]
            assert config["data_dir"] == str(built.data_dir.resolve())
            events = instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION
            ).records
            done = []
            for e in events:
                event = e.event_log_entry.dagster_event
                assert event is not None
                read = staging_progress.read(event.asset_observation_data.asset_observation)
                assert read is not None
                done.append(read)
            assert [d.table for d in done] == tables
            assert [d.index for d in done] == list(range(1, len(tables) + 1))
            assert all(d.days == 2 and d.count == len(tables) for d in done)
