"""Splitting days into staging runs, the automation around batches of them, and the staging
asset's progress line per table."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from pipelines import day_chunks, run_tags, staging_progress
from pipelines.errors import PipelineError
from pipelines.resources import WarehouseResource
from tests.pipelines.lake_fixture import FixtureLake, at


@pytest.mark.parametrize(
    ("first", "last", "parts", "expected"),
    [
        ("2026-01-01", "2026-01-31", 2,
         [("2026-01-01", "2026-01-16"), ("2026-01-17", "2026-01-31")]),
        ("2026-01-01", "2026-01-03", 3,
         [("2026-01-01",) * 2, ("2026-01-02",) * 2, ("2026-01-03",) * 2]),
        ("2026-01-01", "2026-01-02", 8, [("2026-01-01",) * 2, ("2026-01-02",) * 2]),
        ("2026-02-27", "2026-03-02", 1, [("2026-02-27", "2026-03-02")]),
    ],
)  # fmt: skip
def test_split_covers_the_range_in_near_equal_chunks(
    first: str, last: str, parts: int, expected: list[tuple[str, str]]
) -> None:
    assert day_chunks.split(first, last, parts) == expected


def test_split_is_contiguous_and_balanced_over_a_year() -> None:
    chunks = day_chunks.split("2025-01-01", "2025-12-31", 7)
    lengths = [(datetime.fromisoformat(b) - datetime.fromisoformat(a)).days + 1 for a, b in chunks]
    assert sum(lengths) == 365
    assert max(lengths) - min(lengths) <= 1
    for (_, end), (start, _) in itertools.pairwise(chunks):
        assert (datetime.fromisoformat(start) - datetime.fromisoformat(end)).days == 1


def test_by_size_and_labels() -> None:
    assert day_chunks.by_size("2026-01-01", "2026-01-05", 2) == [
        ("2026-01-01", "2026-01-02"), ("2026-01-03", "2026-01-04"), ("2026-01-05", "2026-01-05")
    ]  # fmt: skip
    assert day_chunks.label(("2026-01-05", "2026-01-05")) == "2026-01-05"
    assert day_chunks.label(("2026-01-01", "2026-01-02")) == "2026-01-01..2026-01-02"


@pytest.mark.parametrize(("value", "expected"), [("", None), ("7", 7), (" 31 ", 31)])
def test_days_per_run_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    monkeypatch.setenv(day_chunks.DAYS_PER_RUN_ENV, value)
    assert day_chunks.days_per_run() == expected


@pytest.mark.parametrize("value", ["0", "-3", "week"])
def test_days_per_run_rejects_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(day_chunks.DAYS_PER_RUN_ENV, value)
    with pytest.raises(PipelineError, match="whole number of days"):
        day_chunks.days_per_run()


def test_backfill_policy_follows_days_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.staging_assets import staging_backfill_policy

    monkeypatch.delenv(day_chunks.DAYS_PER_RUN_ENV, raising=False)
    assert staging_backfill_policy() == dg.BackfillPolicy.single_run()
    monkeypatch.setenv(day_chunks.DAYS_PER_RUN_ENV, "7")
    assert staging_backfill_policy() == dg.BackfillPolicy.multi_run(max_partitions_per_run=7)


def test_nightly_rebuild_splits_into_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.defs.automation import nightly_full

    lake = FixtureLake(tmp_path)
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        lake.heartbeat(at(f"{day} 10:00"), "A")
    lake.write()
    with dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 4, tzinfo=UTC),
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))},  # no CPO_DATA_DIR
    ) as context:
        monkeypatch.delenv(day_chunks.DAYS_PER_RUN_ENV, raising=False)
        (whole,) = nightly_full(context)
        assert run_tags.BATCH not in whole.tags
        monkeypatch.setenv(day_chunks.DAYS_PER_RUN_ENV, "2")
        requests = nightly_full(context)
    assert isinstance(requests, list)
    ranges = [(r.tags[run_tags.RANGE_START], r.tags[run_tags.RANGE_END]) for r in requests]
    assert ranges == [("2026-01-01", "2026-01-02"), ("2026-01-03", "2026-01-03")]
    assert len({r.tags[run_tags.BATCH] for r in requests}) == 1


def test_stretches_split_at_gaps() -> None:
    days = ["2014-11-03", "2014-11-04", "2014-11-06", "2026-01-01"]
    assert day_chunks.stretches(days) == [
        ("2014-11-03", "2014-11-04"), ("2014-11-06", "2014-11-06"), ("2026-01-01", "2026-01-01"),
    ]  # fmt: skip
    assert day_chunks.stretches([]) == []


def test_nightly_rebuild_skips_the_empty_years_between_lake_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2014 replay beside this year's frames: two runs of their own days, one batch, not one
    run over the 4,000 empty days between (partitions start in 2000)."""
    from pipelines.defs.automation import lake_files, nightly_full
    from pipelines.partitions import daily

    assert daily.start.date().isoformat() == "2000-01-01"
    lake = FixtureLake(tmp_path)
    for day in ("2014-11-03", "2014-11-04", "2026-01-02"):
        lake.heartbeat(at(f"{day} 10:00"), "A")
    lake.write()
    monkeypatch.delenv(day_chunks.DAYS_PER_RUN_ENV, raising=False)
    resources = {"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    with dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 3, tzinfo=UTC), resources=resources
    ) as context:
        requests = nightly_full(context)
    assert isinstance(requests, list)
    ranges = [(r.tags[run_tags.RANGE_START], r.tags[run_tags.RANGE_END]) for r in requests]
    assert ranges == [("2014-11-03", "2014-11-04"), ("2026-01-02", "2026-01-02")]
    assert len({r.tags[run_tags.BATCH] for r in requests}) == 1
    monkeypatch.delenv("CPO_DATA_DIR", raising=False)
    with dg.build_sensor_context(resources=resources) as sensor_context:
        result = lake_files(sensor_context)
    assert isinstance(result, dg.SensorResult)
    keys = sorted(r.partition_key or "" for r in result.run_requests or [])
    assert keys == ["2014-11-03", "2014-11-04", "2026-01-02"]  # the lake's days, no others


def test_marts_job_runs_in_process_and_takes_the_writer_slot() -> None:
    from pipelines.definitions import defs

    job = defs().resolve_job_def("build_marts")
    assert job.executor_def is dg.in_process_executor
    assert job.tags.get(run_tags.WRITES) == "warehouse"


def _run(
    instance: dg.DagsterInstance, status: dg.DagsterRunStatus, tags: dict[str, str]
) -> dg.DagsterRun:
    run = dg.DagsterRun(job_name="stage_days", run_id=str(uuid.uuid4()), tags=tags, status=status)
    instance.add_run(run)
    return run


def _marts_request(instance: dg.DagsterInstance, run: dg.DagsterRun) -> object:
    from pipelines.defs.automation import marts_after_staging

    event = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name="stage_days")
    context = dg.build_run_status_sensor_context(
        sensor_name="marts_after_staging",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
    )
    return marts_after_staging(context)


def test_marts_wait_for_the_last_run_of_a_batch() -> None:
    ok = dg.DagsterRunStatus.SUCCESS
    with dg.DagsterInstance.ephemeral() as instance:
        single = _run(instance, ok, {})
        request = _marts_request(instance, single)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == f"after-{single.run_id}"

        waiting = {run_tags.BATCH: "b1"}
        done = _run(instance, ok, waiting)
        _run(instance, dg.DagsterRunStatus.STARTED, waiting)
        assert isinstance(_marts_request(instance, done), dg.SkipReason)

        complete = {run_tags.BATCH: "b3"}
        _run(instance, ok, complete)
        last = _run(instance, ok, complete)
        request = _marts_request(instance, last)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == "after-batch-b3"  # the same for either run: launched once

        failed = {run_tags.BATCH: "b2"}
        _run(instance, dg.DagsterRunStatus.FAILURE, failed)
        last = _run(instance, ok, failed)
        skip = _marts_request(instance, last)
        assert isinstance(skip, dg.SkipReason)
        assert "did not succeed" in (skip.skip_message or "")


def test_the_staging_table_event_reads_back_by_its_metadata() -> None:
    done = staging_progress.TableBuilt("stg_status", 1_234_567, 31, 7, 9)
    observed = staging_progress.observation(dg.AssetKey("staging"), done)
    assert observed.description == "stg_status: 1,234,567 rows over 31 day(s) (table 7/9)"
    assert staging_progress.read(observed) == done
    other = dg.AssetObservation(asset_key="staging", metadata={"dagster/row_count": 12})
    assert staging_progress.read(other) is None  # not ours
