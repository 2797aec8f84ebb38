"""``cpo pipelines run``: staging for a range of days, then every mart, as Dagster runs.

On a Dagster instance whose home is the data folder's ``dagster_home``, so the runs,
materialisations and check results show in ``cpo pipelines ui`` afterwards. Staging is one run,
or with ``workers`` > 1 that many runs over contiguous day ranges at once
(:mod:`pipelines.launch.staging_runs`), each on the code location's executor; then the marts
run here, in process, as ``build_marts`` declares (one DuckDB writer).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines import day_chunks
from pipelines.errors import LakeMissingError, PipelineError
from pipelines.launch.home import prepare_home
from pipelines.launch.run_config import QUIET
from pipelines.launch.staging_runs import StagingRuns
from pipelines.launch.summary import RunSummary
from pipelines.launch.watch import Watcher
from pipelines.launch.workers import check_workers
from pipelines.partitions import START
from pipelines.resources import WarehouseResource
from pipelines.warehouse.layout import Layout

MARTS_JOB = "build_marts"


def day_range(layout: Layout, first: str | None, last: str | None) -> tuple[str, str]:
    """The days to stage: ``first``..``last``, each defaulting to the lake's first / last day.

    An error names only what the user gave: an option's value, or else the lake's days.
    """
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
    for label, value in (("--from", first), ("--to", last)):
        if value is None:
            continue
        try:
            date.fromisoformat(value)
        except ValueError:
            raise PipelineError(f"{label} {value!r} is not a date; use YYYY-MM-DD") from None
        if value < START:
            raise PipelineError(f"{label} {value} is before {START}, the first day staged")
    if first is None and days[0] < START:
        early = [d for d in days if d < START]
        raise PipelineError(
            f"{layout.lake} holds {len(early)} day(s) before {START}, the first day staged "
            f"({early[0]}..{early[-1]}: a server clock that was not set?); move those date= "
            "folders out of the lake"
        )
    if first is not None and last is not None and first > last:
        raise PipelineError(f"--from {first} is after --to {last}")
    if last is None and first is not None and first > days[-1]:
        raise PipelineError(f"--from {first} is after the lake's last day {days[-1]}")
    if first is None and last is not None and last < days[0]:
        raise PipelineError(f"--to {last} is before the lake's first day {days[0]}")
    return first or days[0], last or days[-1]


def run(
    data_dir: Path,
    first: str | None = None,
    last: str | None = None,
    progress: Callable[[str], None] = print,
    workers: int = 1,
) -> RunSummary:
    """Build staging for days ``first``..``last`` (default: every lake day), then all marts.

    ``workers`` > 1 splits the days into that many ranges staged at once, each its own Dagster
    run (:mod:`pipelines.launch.staging_runs`); the marts then build once.
    """
    check_workers(workers)
    layout = Layout(data_dir.resolve())
    first, last = day_range(layout, first, last)
    prepare_home(layout)
    staging = StagingRuns(layout, day_chunks.split(first, last, workers))
    started = time.monotonic()
    summary = RunSummary(first, last)
    # Opened before any run starts: the first to open a new DAGSTER_HOME creates its SQLite
    # storage, and three doing it at once corrupted the schema version table.
    with dg.DagsterInstance.get() as instance:
        staging.start()  # parallel workers boot while this process loads the marts
        from pipelines.definitions import defs  # the whole location: seconds of imports

        marts = defs().resolve_job_def(MARTS_JOB)
        staging.wait(instance, summary, progress, started)
        if not summary.steps_failed:
            resources = {"warehouse": WarehouseResource(data_dir=str(layout.data_dir))}
            _execute_marts(marts, instance, resources, summary, progress, started)
    return summary


def _execute_marts(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    resources: dict[str, WarehouseResource],
    summary: RunSummary,
    progress: Callable[[str], None],
    started: float,
) -> None:
    """One run of ``job`` in this process (its executor is in-process), its progress printed as
    it goes (timed from ``started``, the command's start, like the staging lines)."""
    run_id = str(uuid.uuid4())
    watcher = Watcher(instance, job.name, summary, progress, run_id=run_id, started=started)
    watcher.start()
    try:
        job.execute_in_process(
            instance=instance,
            run_id=run_id,
            run_config=QUIET,
            raise_on_error=False,
            resources=resources,
        )
    finally:
        watcher.stop()
