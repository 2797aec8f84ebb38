"""Stage chunks of days: one Dagster run per chunk, each on the code location's executor.

Every run is ``stage_days`` over its partition range on the data folder's instance, launched
with ``dg.execute_job`` of the reconstructable staging job (:mod:`pipelines.launch.staging_job`),
so the UI shows one run per chunk and every day's materialisation, as a multi-run backfill
launched from the UI would. With one worker the chunks run one after another in this process;
with several, up to that many run at once, one worker process each (:mod:`pipelines.launch.
stage_worker`), the next starting as one ends: Dagster runs are not safe as threads of one
process. Each run builds its days in its own in-memory DuckDB and writes only its own ``date=``
folders: no shared lock. This process follows every run through the instance's event log
(:class:`Watcher`), finding each by its batch and worker tags.

The workers read the lake this process resolved (a folder or ``s3://bucket/prefix``): it is
handed down as ``CPO_LAKE_URL``, and the S3 endpoint and credentials (the ``AWS_*`` variables)
are inherited with the rest of the environment, never put on a command line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from ingest.lake.location import LAKE_URL_ENV
from pipelines import day_chunks, run_tags
from pipelines.launch.run_config import staging_config
from pipelines.launch.stage_worker import RUN_FAILED
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
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None  # the worker's stderr, kept to explain a crash

    @property
    def name(self) -> str:
        return "staging" if self.label is None else f"staging {self.label}"


class StagingRuns:
    """:meth:`start` (early: the workers boot while the caller loads the marts), then
    :meth:`wait` runs or follows the runs to the end and fills the summary."""

    def __init__(self, layout: Layout, chunks: Sequence[day_chunks.Chunk],
                 workers: int = 1) -> None:
        self._layout, n = layout, len(chunks)
        self.batch = uuid.uuid4().hex[:12]
        self._workers = max(1, min(workers, n))
        self._threads = worker_threads(self._workers)
        self.runs = [
            _Run(
                chunk,
                {run_tags.BATCH: self.batch, run_tags.WORKER: f"{i}/{n}",
                 **run_tags.range_tags(*chunk)},
                day_chunks.label(chunk) if n > 1 else None,
            )
            for i, chunk in enumerate(chunks, start=1)
        ]  # fmt: skip
        # Resolved once, here (a bad CPO_LAKE_URL fails before any worker starts).
        self.lake_url = str(layout.lake)

    @property
    def parallel(self) -> bool:
        return self._workers > 1

    def start(self) -> None:
        if not self.parallel:
            return  # the runs execute in wait(), in this process
        for r in self.runs[: self._workers]:
            self._launch(r)

    def _launch(self, r: _Run) -> None:
        env = {**os.environ, LAKE_URL_ENV: self.lake_url}
        command = [
            sys.executable, "-m", "pipelines.launch.stage_worker",
            "--data-dir", str(self._layout.data_dir), "--threads", str(self._threads),
            "--tags", json.dumps(r.tags),
        ]  # fmt: skip
        # Dagster's own lines would interleave with the progress lines: kept in a log file.
        r.log = (
            self._layout.dagster_home
            / "workers"
            / f"{self.batch}-{r.tags[run_tags.WORKER].replace('/', 'of')}.log"
        )
        r.log.parent.mkdir(parents=True, exist_ok=True)
        with r.log.open("wb") as stderr:
            r.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, env=env
            )

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
                found=announce(i, r) if self.parallel else None,
            )
            for i, r in enumerate(self.runs, start=1)
        ]  # fmt: skip
        for watcher in watchers:
            watcher.start()
        try:
            codes = self._execute_here(instance) if not self.parallel else self._follow()
        finally:
            self.stop()
            for watcher in watchers:
                watcher.stop()
        for r, watcher, code in zip(self.runs, watchers, codes, strict=True):
            _account(r, watcher, code, summary, progress)

    def _execute_here(self, instance: dg.DagsterInstance) -> list[int]:
        codes = []
        for r in self.runs:
            result = dg.execute_job(
                RECONSTRUCTABLE,
                instance,
                run_config=staging_config(self._layout, self._threads),
                tags=r.tags,
            )
            codes.append(0 if result.success else RUN_FAILED)
        return codes

    def _follow(self) -> list[int]:
        """Wait for the worker processes, starting the next run as one ends; exit codes in
        run order."""
        codes: dict[int, int] = {}
        while len(codes) < len(self.runs):
            for i, r in enumerate(self.runs):
                if i in codes or r.process is None or r.process.poll() is None:
                    continue
                codes[i] = r.process.returncode
                waiting = next((w for w in self.runs if w.process is None), None)
                if waiting is not None:
                    self._launch(waiting)
            time.sleep(0.05)
        return [codes[i] for i in range(len(self.runs))]

    def stop(self) -> None:
        """End the workers still running (Ctrl-C, or an error here): only ours, by process.

        SIGINT, as Ctrl-C would: Dagster then ends the run as failed instead of leaving it
        "started" for ever in the UI.
        """
        running = [r.process for r in self.runs if r.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _account(
    r: _Run, watcher: Watcher, code: int, summary: RunSummary, progress: Callable[[str], None]
) -> None:
    """A failed run without a failed step (e.g. a crash before the run began) still fails."""
    if code == 0:
        if r.log is not None:
            r.log.unlink(missing_ok=True)  # kept only to explain a failure
        return
    if watcher.failed:
        return
    if code == RUN_FAILED:
        reason = "run failed"
    else:
        tail = r.log.read_text(errors="replace").strip().splitlines()[-1:] if r.log else []
        reason = f"worker exit code {code}" + (f": {tail[0]}" if tail else "") + f" (log {r.log})"
    with summary.lock:
        summary.steps_failed.append(r.name)
    progress(f"  {JOB:8} {r.name:34} FAILED: {reason}")
