"""Follow a Dagster run from its event log: a progress line per finished step, a summary.

Works for a run in this process and for runs whose steps other processes execute on the same
instance: all write to the instance's event log, which this reads by event type, never by log
text. A staging run also gets a line per table built, from the staging asset's observations
(:mod:`pipelines.staging_progress`): its one step can take minutes on a long range, and would
otherwise show nothing until its end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import dagster as dg

from pipelines import staging_progress
from pipelines.launch.summary import RunSummary
from pipelines.marts_asset import ASSET as MARTS_STEP

WATCHED = [
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.ASSET_OBSERVATION,
]


class Watcher(threading.Thread):
    """Prints a line per finished step, table staged and failed check while the run goes on.

    The run is ``run_id``, or (launched elsewhere, its id not known yet) the one run with
    ``tags``; ``found`` is then called with its id once it exists. Reads only new records of
    the watched types (a cursor), once a second: reading the whole log each time slowed the run
    itself down. ``label`` (e.g. a run's day range) follows the step's name in lines and
    failures, to tell parallel runs of one job apart.
    """

    def __init__(
        self,
        instance: dg.DagsterInstance,
        job_name: str,
        summary: RunSummary,
        progress: Callable[[str], None],
        *,
        run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        found: Callable[[str], None] | None = None,
        label: str | None = None,
        started: float | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self._instance, self._job, self.run_id = instance, job_name, run_id
        self._tags, self._found = dict(tags or {}), found
        self._summary, self._progress, self._label = summary, progress, label
        # Names in lines are padded to one width: the rows line up within a run.
        self._width = 34 if label is None else 36 + len(label)
        self._done = threading.Event()
        self._cursor: str | None = None
        self._t0 = time.monotonic() if started is None else started
        self._rows: dict[str, int] = {}
        self.failed = False

    def run(self) -> None:
        while not self._done.wait(1.0):
            self._drain()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self._drain()

    def _run_id(self) -> str | None:
        if self.run_id is None and self._tags:
            records = self._instance.get_run_records(dg.RunsFilter(tags=self._tags), limit=1)
            if records:
                self.run_id = records[0].dagster_run.run_id
                if self._found is not None:
                    self._found(self.run_id)
        return self.run_id

    def _drain(self) -> None:
        run_id = self._run_id()
        # Another thread or process creates the run: reading first would create its log early.
        if run_id is None or not self._instance.has_run(run_id):
            return
        while True:
            page = self._instance.get_records_for_run(
                run_id, cursor=self._cursor, of_type=set(WATCHED), limit=1000
            )
            for record in page.records:
                event = record.event_log_entry.dagster_event
                if event is not None:
                    with self._summary.lock:  # also keeps parallel runs' lines whole
                        self._report(event)
            self._cursor = page.cursor
            if not page.has_more:
                return

    def _line(self, name: str, rows: int, suffix: str = "") -> None:
        seconds = time.monotonic() - self._t0
        self._progress(f"  {seconds:6.1f} s  {name:{self._width}} {rows:>12,} rows{suffix}")

    def _labelled(self, step: str) -> str:
        return step if self._label is None else f"{step} {self._label}"

    def _report(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type
        step = event.step_key or ""
        data: Any = event.event_specific_data
        summary = self._summary
        if kind == dg.DagsterEventType.ASSET_OBSERVATION:
            done = staging_progress.read(data.asset_observation)
            if done is not None:
                name = self._labelled(f"  {done.table:20}")
                self._line(name, done.rows, f"  {done.index}/{done.count}")
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            rows = data.materialization.metadata.get("dagster/row_count")
            # A range run reports every partition with the run's total: keep one per run.
            name = data.materialization.asset_key.to_user_string()
            self._rows[name] = int(str(rows.value)) if rows is not None else 0
            if step == MARTS_STEP:  # one step builds every mart: a line per table as it lands
                summary.rows[name] = summary.rows.get(name, 0) + self._rows[name]
                self._line(self._labelled(name), self._rows[name])
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            summary.steps_ok += 1
            if step in self._rows:
                # Parallel runs of one asset add up.
                summary.rows[step] = summary.rows.get(step, 0) + self._rows[step]
                self._line(self._labelled(step), self._rows[step])
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            self.failed = True
            summary.steps_failed.append(self._labelled(step))
            message = data.error.message.strip().splitlines()[-1] if data.error else "failed"
            self._progress(f"  {self._job:8} {self._labelled(step):34} FAILED: {message}")
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            name = f"{data.asset_key.to_user_string()}.{data.check_name}"
            summary.checks_run += 1
            if not data.passed:
                summary.checks_failed.append(name)
                self._progress(f"  check    {name:34} FAILED")
