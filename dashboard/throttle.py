"""Slows down password guessing on the sign-in form: after ``FREE`` failures in a row for one
key (a user name, a client address), each further attempt on it must wait twice as long as
the last, from ``FIRST_WAIT_S`` up to ``MAX_WAIT_S``. A success clears the key. One instance
per dashboard process (``st.cache_resource``), so new browser sessions do not reset it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE = 5
FIRST_WAIT_S = 30.0
MAX_WAIT_S = 15 * 60.0
MAX_KEYS = 10_000  # bounded: a flood of made-up names must not grow it without end


@dataclass
class _Failures:
    count: int
    last: float


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()  # every browser session runs in its own thread

    def wait_s(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            return max((self._wait(self._failures.get(k), now) for k in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                seen = self._failures.pop(key, None)
                self._failures[key] = _Failures((seen.count if seen else 0) + 1, now)
            while len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]  # the stalest first

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    @staticmethod
    def _wait(seen: _Failures | None, now: float) -> float:
        if seen is None or seen.count < FREE:
            return 0.0
        wait = min(FIRST_WAIT_S * float(2 ** min(seen.count - FREE, 30)), MAX_WAIT_S)
        return max(0.0, seen.last + wait - now)
