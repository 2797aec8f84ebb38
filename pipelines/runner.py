"""Materialise the pipelines from the command line: staging for a range of days, then every mart.

Runs in this process on a Dagster instance whose home is the data folder's ``dagster_home``, so
the runs, materialisations and check results show in ``cpo pipelines ui`` afterwards.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.errors import LakeMissingError, PipelineError
from pipelines.partitions import START
from pipelines.resources import WarehouseResource
from pipelines.warehouse.layout import Layout

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
DAGSTER_YAML = "telemetry:\n  enabled: false\n"


@dataclass
class RunSummary:
    first_day: str
    last_day: str
    steps_ok: int = 0
    checks_run: int = 0
    steps_failed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.steps_failed and not self.checks_failed


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


def run(
    data_dir: Path,
    first: str | None = None,
    last: str | None = None,
    progress: Callable[[str], None] = print,
) -> RunSummary:
    """Build staging for days ``first``..``last`` (default: every lake day), then all marts."""
    layout = Layout(data_dir.resolve())
    first, last = day_range(layout, first, last)
    prepare_home(layout)
    from pipelines.definitions import defs
    from pipelines.defs.automation import range_tags  # after the env points at this folder

    definitions = defs()
    summary = RunSummary(first, last)
    resources = {"warehouse": WarehouseResource(data_dir=str(layout.data_dir))}
    with dg.DagsterInstance.get() as instance:
        for job_name, tags in (("stage_days", range_tags(first, last)), ("build_marts", {})):
            job = definitions.resolve_job_def(job_name)
            run_id = str(uuid.uuid4())
            watcher = _Watcher(instance, run_id, job_name, summary, progress)
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
            if summary.steps_failed:
                break
    return summary


WATCHED = {
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}


class _Watcher(threading.Thread):
    """Prints a line per finished step and failed check while the run goes on.

    Reads only new records of the watched types (a cursor), once a second: reading the whole
    log each time slowed the run itself down.
    """

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        job_name: str,
        summary: RunSummary,
        progress: Callable[[str], None],
    ) -> None:
        super().__init__(daemon=True)
        self._instance, self._run_id, self._job = instance, run_id, job_name
        self._summary, self._progress = summary, progress
        self._done = threading.Event()
        self._cursor: str | None = None
        self._t0 = time.monotonic()

    def run(self) -> None:
        while not self._done.wait(1.0):
            self._drain()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self._drain()

    def _drain(self) -> None:
        while True:
            page = self._instance.get_records_for_run(
                self._run_id, cursor=self._cursor, of_type=WATCHED, limit=1000
            )
            for record in page.records:
                event = record.event_log_entry.dagster_event
                if event is not None:
                    self._report(event)
            self._cursor = page.cursor
            if not page.has_more:
                return

    def _report(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type_value
        step = event.step_key or ""
        data: Any = event.event_specific_data
        if kind == "ASSET_MATERIALIZATION":
            rows = data.materialization.metadata.get("dagster/row_count")
            # A range run reports every partition with the run's total: keep one.
            name = data.materialization.asset_key.to_user_string()
            self._summary.rows[name] = int(str(rows.value)) if rows is not None else 0
        elif kind == "STEP_SUCCESS":
            self._summary.steps_ok += 1
            if step in self._summary.rows:
                seconds = time.monotonic() - self._t0
                count = self._summary.rows[step]
                self._progress(f"  {seconds:6.1f} s  {step:34} {count:>12,} rows")
        elif kind == "STEP_FAILURE":
            self._summary.steps_failed.append(step)
            message = data.error.message.strip().splitlines()[-1] if data.error else "failed"
            self._progress(f"  {self._job:8} {step:34} FAILED: {message}")
        elif kind == "ASSET_CHECK_EVALUATION":
            name = f"{data.asset_key.to_user_string()}.{data.check_name}"
            self._summary.checks_run += 1
            if not data.passed:
                self._summary.checks_failed.append(name)
                self._progress(f"  check    {name:34} FAILED")
