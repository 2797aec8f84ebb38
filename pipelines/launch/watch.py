"""Follow Dagster runs from their event log: a progress line per finished step, a summary.

Works for a run in this process and for runs other processes execute on the same instance
(the parallel staging workers): both write to the instance's event log, which this reads. A
staging run also gets a line per table built (:mod:`pipelines.staging_progress`): its one step
can take minutes on a long range, and would otherwise show nothing until its end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from pipelines import staging_progress


@dataclass
class RunSummary:
    first_day: str
    last_day: str
    steps_ok: int = 0
    checks_run: int = 0
    steps_failed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    # Several watchers (one per parallel run) update one summary.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.steps_failed and not self.checks_failed


WATCHED = {
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}


class Watcher(threading.Thread):
    """Prints a line per finished step and failed check while the run goes on.

    Reads only new records of the watched types (a cursor), once a second: reading the whole
    log each time slowed the run itself down. ``label`` (e.g. a run's day range) follows the
    step's name in lines and failures, to tell parallel runs of one job apart. ``table_lines``
    also reads the run's log messages, for the staging asset's line per table (a staging run
    has a few records per day; a marts run has thousands, and no such lines).
    """

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        job_name: str,
        summary: RunSummary,
        progress: Callable[[str], None],
        label: str | None = None,
        started: float | None = None,
        table_lines: bool = False,
    ) -> None:
        super().__init__(daemon=True)
        self._instance, self._run_id, self._job = instance, run_id, job_name
        self._summary, self._progress, self._label = summary, progress, label
        # Names in lines are padded to one width: the rows line up within a run.
        self._width = 34 if label is None else 36 + len(label)
        self._done = threading.Event()
        self._cursor: str | None = None
        self._t0 = time.monotonic() if started is None else started
        self._rows: dict[str, int] = {}
        self._of_type = None if table_lines else WATCHED
        self.failed = False

    def run(self) -> None:
        while not self._done.wait(1.0):
            self._drain()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self._drain()

    def _drain(self) -> None:
        # Another process creates the run: reading before it exists would create its log early.
        if not self._instance.has_run(self._run_id):
            return
        while True:
            page = self._instance.get_records_for_run(
                self._run_id, cursor=self._cursor, of_type=self._of_type, limit=1000
            )
            for record in page.records:
                entry = record.event_log_entry
                event = entry.dagster_event
                with self._summary.lock:  # also keeps parallel runs' lines whole
                    if event is None:
                        self._log_line(entry.user_message)
                    elif event.event_type in WATCHED:
                        self._report(event)
            self._cursor = page.cursor
            if not page.has_more:
                return

    def _log_line(self, text: str) -> None:
        done = staging_progress.parse(text)
        if done is None:
            return
        name = self._labelled(f"  {done.table:20}")
        seconds = time.monotonic() - self._t0
        self._progress(
            f"  {seconds:6.1f} s  {name:{self._width}} {done.rows:>12,} rows  "
            f"{done.index}/{done.count}"
        )

    def _labelled(self, step: str) -> str:
        return step if self._label is None else f"{step} {self._label}"

    def _report(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type_value
        step = event.step_key or ""
        data: Any = event.event_specific_data
        summary = self._summary
        if kind == "ASSET_MATERIALIZATION":
            rows = data.materialization.metadata.get("dagster/row_count")
            # A range run reports every partition with the run's total: keep one per run.
            name = data.materialization.asset_key.to_user_string()
            self._rows[name] = int(str(rows.value)) if rows is not None else 0
        elif kind == "STEP_SUCCESS":
            summary.steps_ok += 1
            if step in self._rows:
                # Parallel runs of one asset add up.
                summary.rows[step] = summary.rows.get(step, 0) + self._rows[step]
                seconds = time.monotonic() - self._t0
                count = self._rows[step]
                name = self._labelled(step)
                self._progress(f"  {seconds:6.1f} s  {name:{self._width}} {count:>12,} rows")
        elif kind == "STEP_FAILURE":
            self.failed = True
            summary.steps_failed.append(self._labelled(step))
            message = data.error.message.strip().splitlines()[-1] if data.error else "failed"
            self._progress(f"  {self._job:8} {self._labelled(step):34} FAILED: {message}")
        elif kind == "ASSET_CHECK_EVALUATION":
            name = f"{data.asset_key.to_user_string()}.{data.check_name}"
            summary.checks_run += 1
            if not data.passed:
                summary.checks_failed.append(name)
                self._progress(f"  check    {name:34} FAILED")
