"""Stage chunks of days at once: one worker process per chunk, each one Dagster run.

Each worker (:mod:`pipelines.stage_worker`) executes the ``stage_days`` job over its partition
range on the same instance (``DAGSTER_HOME``), so the UI shows one run per chunk and every day's
materialisation, exactly as a multi-run backfill launched from the UI would. Each run builds its
days in its own in-memory DuckDB and writes only its own ``date=`` folders: no shared lock.
This process follows the runs through the instance's event log (:class:`Watcher`).

The workers read the lake this process resolved (a folder or ``s3://bucket/prefix``): it is
handed down as ``CPO_LAKE_URL``, and the S3 endpoint and credentials (the ``AWS_*`` variables)
are inherited with the rest of the environment, never put on a command line.
"""

from __future__ import annotations

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
from pipelines.resources import WarehouseResource
from pipelines.run_watch import RunSummary, Watcher
from pipelines.warehouse.layout import Layout

JOB = "stage_days"
RUN_FAILED = 3  # a worker's exit code when its run failed (1 is Python's, for a crash)


@dataclass
class _Worker:
    chunk: day_chunks.Chunk
    run_id: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def label(self) -> str:
        return day_chunks.label(self.chunk)


class StagingWorkers:
    """Started with :meth:`start` (early: the workers boot while the caller loads the code
    location), then :meth:`wait` follows them to the end and fills the summary."""

    def __init__(self, layout: Layout, chunks: Sequence[day_chunks.Chunk]) -> None:
        self._layout, self._chunks = layout, list(chunks)
        self._workers: list[_Worker] = []
        self.batch = uuid.uuid4().hex[:12]
        # Resolved once, here (a bad CPO_LAKE_URL fails before any worker starts).
        self.lake_url = str(layout.lake)

    def start(self) -> None:
        n = len(self._chunks)
        threads = worker_threads(n)
        env = {**os.environ, LAKE_URL_ENV: self.lake_url}
        for i, chunk in enumerate(self._chunks, start=1):
            run_id = str(uuid.uuid4())
            command = [
                sys.executable, "-m", "pipelines.stage_worker",
                "--data-dir", str(self._layout.data_dir),
                "--from", chunk[0], "--to", chunk[1], "--run-id", run_id,
                "--threads", str(threads),
                "--tag", f"{run_tags.BATCH}={self.batch}", "--tag", f"{run_tags.WORKER}={i}/{n}",
            ]  # fmt: skip
            # Dagster's warnings would interleave with the progress lines: kept in a log file
            # (its last line is shown if the worker crashes).
            log = self._layout.dagster_home / "workers" / f"{run_id}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("wb") as stderr:
                process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=stderr, env=env
                )
            self._workers.append(_Worker(chunk, run_id, process, log))

    def wait(
        self,
        instance: dg.DagsterInstance,
        summary: RunSummary,
        progress: Callable[[str], None],
        started: float,
    ) -> None:
        n = len(self._workers)
        for i, w in enumerate(self._workers, start=1):
            progress(f"  worker {i}/{n}: staging {w.label} (run {w.run_id[:8]})")
        watchers = [
            Watcher(
                instance, w.run_id, JOB, summary, progress,
                label=w.label, started=started, table_lines=True,
            )
            for w in self._workers
        ]  # fmt: skip
        for watcher in watchers:
            watcher.start()
        try:
            codes = [w.process.wait() for w in self._workers]
        finally:
            self.stop()
            for watcher in watchers:
                watcher.stop()
        for w, watcher, code in zip(self._workers, watchers, codes, strict=True):
            _account(w, watcher, code, summary, progress)

    def stop(self) -> None:
        """End the workers still running (Ctrl-C, or an error here): only ours, by process.

        SIGINT, as Ctrl-C would: Dagster then ends the run as failed instead of leaving it
        "started" for ever in the UI.
        """
        for w in self._workers:
            if w.process.poll() is None:
                w.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for w in self._workers:
            try:
                w.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                w.process.kill()
                w.process.wait()


def worker_threads(workers: int) -> int:
    """DuckDB threads per worker: the CPUs shared out, at most what one run uses alone."""
    alone = WarehouseResource.model_fields["threads"].default
    return max(1, min(int(alone), (os.cpu_count() or 1) // workers))


def _account(
    w: _Worker, watcher: Watcher, code: int, summary: RunSummary, progress: Callable[[str], None]
) -> None:
    """A failed run without a failed step (e.g. a crash before the run began) still fails."""
    if code == 0:
        w.log.unlink(missing_ok=True)  # kept only to explain a failure
        return
    if watcher.failed:
        return
    name = f"staging {w.label}"
    if code == RUN_FAILED:
        reason = "run failed"
    else:
        tail = w.log.read_text(errors="replace").strip().splitlines()[-1:]
        reason = f"worker exit code {code}" + (f": {tail[0]}" if tail else "") + f" (log {w.log})"
    with summary.lock:
        summary.steps_failed.append(name)
    progress(f"  {JOB:8} {name:34} FAILED: {reason}")
