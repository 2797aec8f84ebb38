"""``cpo pipelines run``: staging for a range of days, then every mart, as Dagster runs.

On a Dagster instance whose home is the data folder's ``dagster_home``, so the runs,
materialisations and check results show in ``cpo pipelines ui`` afterwards. Staging covers
only the days the lake holds: one run per stretch of consecutive lake days (as the nightly
rebuild does), so a 2014 replay beside this year's frames does not stage the empty years between;
with ``workers`` > 1 the stretches are split further and up to that many run at once
(:mod:`pipelines.launch.staging_runs`), each on the code location's executor; then the marts
run here, in process, as ``build_marts`` declares (one DuckDB writer).

A day with no lake files has no staging rows whichever way it is run (every staging table is
rows of that day's frames), so skipping it changes no mart: the marts read every staged
partition, and uptime counts time between frames from the frames' own timestamps (a charger
silent for days is offline over that span, staged or not). A day of the range that the lake no
longer holds loses its old staging partitions, as re-staging it empty would have done.
"""

from __future__ import annotations

import shutil
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


def lake_days(layout: Layout) -> list[str]:
    """Sorted days holding files of the tables staging reads."""
    return sorted(
        {
            d
            for t in ("ocpp_messages", "meter_values", "connection_events")
            for d in layout.lake_dates(t)
        }
    )


def day_range(
    layout: Layout, first: str | None, last: str | None, days: list[str] | None = None
) -> tuple[str, str]:
    """The days to stage: ``first``..``last``, each defaulting to the lake's first / last day.

    An error names only what the user gave: an option's value, or else the lake's days.
    """
    days = lake_days(layout) if days is None else days
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
    days = lake_days(layout)
    first, last = day_range(layout, first, last, days)
    prepare_home(layout)
    held = [d for d in days if first <= d <= last]
    chunks = day_chunks.lake_chunks(held, workers)
    _drop_stale(layout, first, last, set(days))
    stretches = day_chunks.stretches(held)
    if len(stretches) > 1:  # say why the days between are not staged
        progress(f"staging the lake's {len(held):,} days in {first}..{last}, "
                 f"{len(stretches)} stretches: "
                 + ", ".join(day_chunks.label(c) for c in stretches[:6])
                 + (", ..." if len(stretches) > 6 else ""))
    staging = StagingRuns(layout, chunks, workers)
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


def _drop_stale(layout: Layout, first: str, last: str, held: set[str]) -> None:
    """Staging partitions of ``first``..``last`` for days the lake no longer holds: gone, as a
    re-staging of those (empty) days would have left them."""
    root = layout.staging_root
    if not root.is_dir():
        return
    for folder in root.glob("*/date=*"):
        day = folder.name.removeprefix("date=")
        if first <= day <= last and day not in held and folder.is_dir():
            shutil.rmtree(folder)


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
