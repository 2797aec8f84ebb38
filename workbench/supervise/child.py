"""One supervised child process: its command, where its output goes, how to stop it.

Each child runs in its own session (process group), so a Ctrl-C at the terminal reaches only the
supervisor, which stops the children in order, and a stop reaches the child's own children too
(Streamlit's, Dagster's code servers and run workers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.supervise.backoff import Backoff


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_file: Path
    describe: str = ""  # the status line at start: what it serves, where
    health_url: str | None = None
    stop_timeout_s: float = 20.0  # the CSMS flushes its lake on SIGTERM: give it time
    ready_timeout_s: float = 0.0  # > 0: the next child starts once health_url answers


@dataclass
class Child:
    spec: ChildSpec
    backoff: Backoff = field(default_factory=Backoff)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    restart_at: float | None = None  # when a dead child is due to start again

    def start(self) -> None:
        self.spec.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.spec.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                self.spec.argv,
                env=self.spec.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def exit_code(self) -> int | None:
        """The code it died with, or None while it runs (or before its first start)."""
        return None if self.process is None else self.process.poll()

    def schedule_restart(self, now: float) -> float:
        delay = self.backoff.after_exit(now - self.started_at)
        self.restart_at = now + delay
        self.restarts += 1
        return delay

    def stop(self) -> int | None:
        """SIGTERM to its whole process group, then SIGKILL after ``stop_timeout_s``."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=self.spec.stop_timeout_s)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        _signal_group(process.pid, signal.SIGKILL)  # grandchildren the child left behind
        return process.returncode


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
