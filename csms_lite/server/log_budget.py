"""A few log lines per window, the rest counted: a flood of refused handshakes must not flood
the console too (the lake keeps every one of them)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class LogBudget:
    def __init__(self, log: logging.Logger, lines: int = 10, window_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.log, self.lines, self.window_s, self.clock = log, lines, window_s, clock
        self._window_start = clock()
        self._used = 0
        self._held = 0

    def info(self, message: str, *args: object) -> None:
        now = self.clock()
        if now - self._window_start >= self.window_s:
            if self._held:
                self.log.info("... and %d more like it in the last %.0f s", self._held,
                              self.window_s)
            self._window_start, self._used, self._held = now, 0, 0
        if self._used < self.lines:
            self._used += 1
            self.log.info(message, *args)
        else:
            self._held += 1
