"""Materialise the pipelines from the command line: staging for a range of days, then every mart.

Runs in this process on a Dagster instance whose home is the data folder's ``dagster_home``, so
the runs, materialisations and check results show in ``cpo pipelines ui`` afterwards. With
``workers`` > 1, staging runs as that many concurrent runs in worker processes on the same
instance (:mod:`pipelines.parallel_staging`), then the marts run here.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines import day_chunks
from pipelines.errors import LakeMissingError, PipelineError
from pipelines.parallel_staging import JOB as STAGING_JOB
from pipelines.parallel_staging import StagingWorkers
from pipelines.partitions import START
from pipelines.resources import WarehouseResource
from pipelines.run_watch import RunSummary, Watcher
from pipelines.warehouse.layout import Layout

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
DAGSTER_YAML = "telemetry:\n  enabled: false\n"

__all__ = ["RunSummary", "check_workers", "day_range", "parse_workers", "prepare_home", "run"]


def prepare_home(layout: Layout) -> Path:
    """Create DAGSTER_HOME in the data folder (telemetry off) and point this process at it."""
    home = layout.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["CPO_DATA_DIR"] = str(layout.data_dir)
    return home


def day_range(layout: Layout, first: str | None, last: str | None) -> tuple[str, str]:
    days = sorted(
        {
            d
            for t in ("ocpp_messages", "meter_values", "connection_events")
            for d in layout.lake_dates(t)
        }
    )
    if not days:
        raise LakeMissingError(
            f"{layout.lake} holds no lake files yet: fill it with `cpo simulate`, `cpo replay` "
            "or a running `cpo csms`, then run the pipelines"
        )
    first, last = first or days[0], last or days[-1]
    for label, value in (("--from", first), ("--to", last)):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise PipelineError(f"{label} {value!r} is not a date; use YYYY-MM-DD") from None
    if first > last:
        raise PipelineError(f"--from {first} is after --to {last}")
    if first < START:
        raise PipelineError(
            f"--from {first} is before the first partition {START}; set CPO_PARTITIONS_START"
        )
    return first, last


def check_workers(workers: int) -> int:
    """1..4 per CPU: more processes than that only queue for the cores and the disk."""
    if not 1 <= workers <= max_workers():
        raise PipelineError(f"--workers {workers} is out of range: {_workers_hint()}")
    return workers


def parse_workers(text: str) -> int:
    """``--workers`` as given on the command line: a whole number in range, or one clear line."""
    try:
        workers = int(text.strip())
    except ValueError:
        raise PipelineError(
            f"--workers {text!r} is not a whole number: {_workers_hint()}"
        ) from None
    return check_workers(workers)


def max_workers() -> int:
    return (os.cpu_count() or 1) * 4


def _workers_hint() -> str:
    return f"give 1 to {max_workers()} (up to 4 per CPU; this machine has {os.cpu_count() or 1})"


def run(
    data_dir: Path,
    first: str | None = None,
    last: str | None = None,
    progress: Callable[[str], None] = print,
    workers: int = 1,
) -> RunSummary:
    """Build staging for days ``first``..``last`` (default: every lake day), then all marts.

    ``workers`` > 1 splits the days into that many ranges staged at once, each by its own
    process and Dagster run (:mod:`pipelines.parallel_staging`); the marts then build once.
    """
    check_workers(workers)
    layout = Layout(data_dir.resolve())
    first, last = day_range(layout, first, last)
    prepare_home(layout)
    chunks = day_chunks.split(first, last, workers)
    parallel = StagingWorkers(layout, chunks) if len(chunks) > 1 else None
    started = time.monotonic()
    # Opened before any worker starts: the first process to open a new DAGSTER_HOME creates its
    # SQLite storage, and three doing it at once corrupted the schema version table.
    with dg.DagsterInstance.get() as instance:
        if parallel is not None:
            parallel.start()  # the workers boot while this process loads the code location
        try:
            from pipelines.definitions import defs
            from pipelines.defs.automation import range_tags  # after the env names the folder

            definitions = defs()
            summary = RunSummary(first, last)
            resources = {"warehouse": WarehouseResource(data_dir=str(layout.data_dir))}
            if parallel is not None:
                parallel.wait(instance, summary, progress, started)
            else:
                job = definitions.resolve_job_def(STAGING_JOB)
                tags = range_tags(first, last)
                _execute(job, tags, instance, resources, summary, progress, started)
            if not summary.steps_failed:
                job = definitions.resolve_job_def("build_marts")
                _execute(job, {}, instance, resources, summary, progress, started)
        finally:
            if parallel is not None:
                parallel.stop()
    return summary


def _execute(
    job: dg.JobDefinition,
    tags: dict[str, str],
    instance: dg.DagsterInstance,
    resources: dict[str, WarehouseResource],
    summary: RunSummary,
    progress: Callable[[str], None],
    started: float,
) -> None:
    """One run of ``job`` in this process, its progress printed as it goes (timed from
    ``started``, the command's start, like the parallel workers' lines)."""
    run_id = str(uuid.uuid4())
    table_lines = job.name == STAGING_JOB
    watcher = Watcher(
        instance, run_id, job.name, summary, progress, started=started, table_lines=table_lines
    )
    watcher.start()
    try:
        job.execute_in_process(
            instance=instance,
            tags=tags,
            run_id=run_id,
            run_config=QUIET,
            raise_on_error=False,
            resources=resources,
        )
    finally:
        watcher.stop()
