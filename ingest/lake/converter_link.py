"""The writer's side of the converter process (see ``converter`` for the protocol).

A reader thread per process blocks on its stdout and keeps the latest stats line; it wakes about
once per ``flush_interval``, so it costs the server's GIL nothing worth measuring. The caller
serialises ``spawn``/``flush``/``finish`` (the writer's link lock).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import orjson

import ingest

logger = logging.getLogger(__name__)

Report = dict[str, Any]  # a stats line: ConverterStats fields plus `answered`
_SUMMED = ("rows_written", "files_written", "rows_rejected", "rows_replayed", "flushes",
           "errors")
_SOURCE_ROOT = str(Path(ingest.__file__).resolve().parents[1])  # so the child finds `ingest`


class ConverterLink:
    """Spawns the converter, asks it to flush, and adds up the stats of successive processes."""

    def __init__(self, args: list[str], env: Mapping[str, str] | None = None) -> None:
        self._args = args
        self._env = env  # the child's environment (default: this process's, read at spawn)
        self._proc: subprocess.Popen[bytes] | None = None
        self._changed = threading.Condition()
        self._report: Report = {}  # latest line of the current process
        self._earlier: dict[str, int] = dict.fromkeys(_SUMMED, 0)  # of processes that died
        self._sent = 0  # flush requests sent to the current process
        self._eof = True  # the current process's stdout is closed (or there is none)

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait_exit(self, timeout: float) -> int | None:
        """The exit code once the converter has exited (waiting up to ``timeout``), else None."""
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def exit_code(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def spawn(self) -> None:
        """Start a converter (a previous one must be gone: its totals are kept)."""
        with self._changed:
            for key in _SUMMED:
                self._earlier[key] += int(self._report.get(key, 0))
            self._report, self._sent, self._eof = {}, 0, False
        env = {**(os.environ if self._env is None else self._env)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SOURCE_ROOT, env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.lake.converter", *self._args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            start_new_session=True,  # a Ctrl-C meant for the server must not kill a conversion
        )
        assert self._proc.stdout is not None
        threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True,
                         name=f"lake-converter-{self._proc.pid}").start()

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            try:
                report = orjson.loads(line)
            except orjson.JSONDecodeError:
                logger.warning("unexpected output of the lake converter: %r", line[:200])
                continue
            with self._changed:
                self._report = report
                self._changed.notify_all()
        with self._changed:
            self._eof = True
            self._changed.notify_all()
        stdout.close()

    def flush(self, timeout: float) -> str | None:
        """Ask for a conversion of every closed segment and wait; an error message, or None."""
        assert self._proc is not None
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(b"flush\n")
            self._proc.stdin.flush()
        except OSError as exc:
            return f"lake converter (pid {self._proc.pid}) is gone: {exc}"
        self._sent += 1
        with self._changed:
            answered = self._changed.wait_for(self._answered_or_eof, timeout)
            report, eof = self._report, self._eof
        if not answered:
            return (f"lake converter (pid {self._proc.pid}) did not answer within {timeout:g} s "
                    "(busy with a backlog, or waiting for a previous converter of this node); "
                    "rows stay journaled")
        if eof and int(report.get("answered", 0)) < self._sent:
            return f"lake converter (pid {self._proc.pid}) exited during the flush"
        return _failure(report)

    def _answered_or_eof(self) -> bool:
        return self._eof or int(self._report.get("answered", 0)) >= self._sent

    def finish(self, timeout: float) -> str | None:
        """Close stdin (the converter drains and exits) and wait; an error message, or None."""
        proc = self._proc
        if proc is None:
            return None
        if proc.stdin is not None:
            with contextlib.suppress(OSError):  # if it already died, the exit code tells
                proc.stdin.close()
        deadline = time.monotonic() + timeout
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return (f"lake converter (pid {proc.pid}) still draining after {timeout:g} s; it goes "
                    "on in the background, and the next start converts whatever it leaves")
        with self._changed:  # its last stats line, written just before it exited
            self._changed.wait_for(lambda: self._eof, max(0.0, deadline - time.monotonic()))
            report = self._report
        if code != 0:
            return f"lake converter exited with code {code}: {_failure(report) or 'see its log'}"
        return None

    def totals(self) -> Report:
        """Stats summed over every converter process of this writer, the latest for the rest."""
        with self._changed:
            report = dict(self._report)
        for key in _SUMMED:
            report[key] = int(report.get(key, 0)) + self._earlier[key]
        return report


def _failure(report: Report) -> str | None:
    error = report.get("last_error")
    if error is None:
        return None
    left = report.get("segments_left")
    return f"{left} journal segments not written yet, kept for retry: {error}"
