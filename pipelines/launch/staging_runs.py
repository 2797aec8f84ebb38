"""Stage chunks of days at once: one Dagster run per chunk, launched with ``dg.execute_job``.

Each run is ``stage_days`` over its partition range on the data folder's instance, so the UI
shows one run per chunk and every day's materialisation, as a multi-run backfill launched from
the UI would. Its step runs on the executor the code location declares
(:mod:`pipelines.defs.executor`: by default Dagster's multiprocess executor, one process per
step; Celery or Kubernetes when chosen), from the reconstructable job of
:mod:`pipelines.launch.staging_job`. This process orchestrates each run in a thread (the
runs only wait on their step processes) and follows them through the event log
(:class:`Watcher`). Each run builds its days in its own in-memory DuckDB and writes only its
own ``date=`` folders: no shared lock.

The step processes inherit this process's environment: the lake it resolved (``CPO_LAKE_URL``,
a folder or ``s3://bucket/prefix``) and the S3 endpoint and credentials (``AWS_*``), never on a
command line. A Ctrl-C in a terminal reaches the step processes too (one process group): their
steps fail as interrupted, so the runs end failed instead of "started" for ever in the UI.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg

from pipelines import day_chunks, run_tags
from pipelines.launch.run_config import staging_config
from pipelines.launch.staging_job import RECONSTRUCTABLE
from pipelines.launch.summary import RunSummary
from pipelines.launch.watch import Watcher
from pipelines.launch.workers import worker_threads
from pipelines.warehouse.layout import Layout

JOB = "stage_days"


@dataclass
class _Run:
    chunk: day_chunks.Chunk
    tags: dict[str, str]
    label: str | None  # the days, in lines, when the range is split
    thread: threading.Thread | None = None
    success: bool = False
    error: str | None = field(default=None)  # the run could not start or crashed


class StagingRuns:
    """:meth:`start` (early: the runs start while the caller loads the marts), then
    :meth:`wait` follows them to the end and fills the summary."""

    def __init__(self, layout: Layout, chunks: Sequence[day_chunks.Chunk]) -> None:
        self._layout, n = layout, len(chunks)
        self.batch = uuid.uuid4().hex[:12]
        self._threads = worker_threads(n)
        self.runs = [
            _Run(
                chunk,
                {run_tags.BATCH: self.batch, run_tags.WORKER: f"{i}/{n}",
                 **run_tags.range_tags(*chunk)},
                day_chunks.label(chunk) if n > 1 else None,
            )
            for i, chunk in enumerate(chunks, start=1)
        ]  # fmt: skip

    def start(self) -> None:
        for r in self.runs:
            r.thread = threading.Thread(target=self._execute, args=(r,), daemon=True)
            r.thread.start()

    def _execute(self, r: _Run) -> None:
        try:
            with dg.DagsterInstance.get() as instance:  # one per thread: its own connections
                result = dg.execute_job(
                    RECONSTRUCTABLE,
                    instance,
                    run_config=staging_config(self._layout, self._threads),
                    tags=r.tags,
                )
            r.success = result.success
        except Exception as exc:  # reported as the run's failure by wait()
            r.error = f"{type(exc).__name__}: {exc}".strip().splitlines()[-1]

    def wait(
        self,
        instance: dg.DagsterInstance,
        summary: RunSummary,
        progress: Callable[[str], None],
        started: float,
    ) -> None:
        n = len(self.runs)

        def announce(i: int, r: _Run) -> Callable[[str], None]:
            return lambda run_id: progress(
                f"  worker {i}/{n}: staging {r.label} (run {run_id[:8]})"
            )

        watchers = [
            Watcher(
                instance, JOB, summary, progress, tags=r.tags, label=r.label, started=started,
                found=announce(i, r) if r.label is not None else None,
            )
            for i, r in enumerate(self.runs, start=1)
        ]  # fmt: skip
        for watcher in watchers:
            watcher.start()
        try:
            for r in self.runs:
                if r.thread is not None:
                    r.thread.join()
        finally:
            for watcher in watchers:
                watcher.stop()
        for r, watcher in zip(self.runs, watchers, strict=True):
            _account(r, watcher, summary, progress)


def _account(
    r: _Run, watcher: Watcher, summary: RunSummary, progress: Callable[[str], None]
) -> None:
    """A failed run without a failed step (e.g. bad config, a crash before the step) still fails."""
    if r.success or watcher.failed:
        return
    name = "staging" if r.label is None else f"staging {r.label}"
    with summary.lock:
        summary.steps_failed.append(name)
    progress(f"  {JOB:8} {name:34} FAILED: {r.error or 'run failed'}")
