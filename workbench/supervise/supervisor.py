"""The supervisor: starts the children in order, restarts a dead one with back-off (and says
so), prints one health line per interval, and on SIGINT/SIGTERM stops them in reverse order
(the CSMS last, so it flushes the lake after everyone else has stopped sending it commands)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

from workbench.supervise.child import Child, ChildSpec
from workbench.supervise.health import http_ok

Say = Callable[[str], None]
TICK_S = 0.2


class Supervisor:
    def __init__(self, specs: Sequence[ChildSpec], say: Say, health_interval_s: float = 60.0,
                 probe: Callable[[str], bool] = http_ok) -> None:
        self.children = [Child(spec) for spec in specs]
        self.say = say
        self.health_interval_s = health_interval_s
        self.probe = probe
        self.stopping = threading.Event()

    def run(self, until: Callable[[], bool] = lambda: False) -> None:
        """Run until SIGINT/SIGTERM (or ``until()`` is true), then stop every child."""
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._start_all()
            next_health = time.monotonic() + self.health_interval_s
            while not self.stopping.is_set() and not until():
                now = time.monotonic()
                for child in self.children:
                    self._watch(child, now)
                if now >= next_health:
                    self.say(self.health_line())
                    next_health = now + self.health_interval_s
                self.stopping.wait(TICK_S)
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def _start_all(self) -> None:
        for child in self.children:
            if self.stopping.is_set():
                return
            child.start()
            described = f": {child.spec.describe}" if child.spec.describe else ""
            self.say(f"{child.spec.name} started (pid {child.pid}){described}; "
                     f"log {child.spec.log_file}")
            self._await_ready(child)

    def _await_ready(self, child: Child) -> None:
        """Hold the next children until this one answers (they talk to it), bounded."""
        url, timeout = child.spec.health_url, child.spec.ready_timeout_s
        if url is None or timeout <= 0:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if child.exit_code() is not None:
                return  # the main loop reports and restarts it
            if self.probe(url):
                return
            self.stopping.wait(TICK_S)
        self.say(f"{child.spec.name} does not answer {url} after {timeout:g} s; going on")

    def _watch(self, child: Child, now: float) -> None:
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.start()
                self.say(f"{child.spec.name} restarted (pid {child.pid}, restart {child.restarts})")
            return
        code = child.exit_code()
        if code is not None:
            delay = child.schedule_restart(now)
            self.say(f"{child.spec.name} exited with code {code} after "
                     f"{now - child.started_at:,.0f} s; restarting in {delay:g} s "
                     f"(see {child.spec.log_file})")

    def health_line(self) -> str:
        parts = []
        for child in self.children:
            if child.exit_code() is not None or child.restart_at is not None:
                state = "down"
            elif child.spec.health_url is None:
                state = "up"
            else:
                state = "up" if self.probe(child.spec.health_url) else "not answering"
            uptime = time.monotonic() - child.started_at
            parts.append(f"{child.spec.name} {state} {_duration(uptime)}"
                         + (f" ({child.restarts} restarts)" if child.restarts else ""))
        return f"health {time.strftime('%H:%M:%S')}: " + ", ".join(parts)

    def stop_all(self) -> None:
        for child in reversed(self.children):
            if child.process is None:
                continue
            code = child.stop()
            self.say(f"{child.spec.name} stopped (exit {code})")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
