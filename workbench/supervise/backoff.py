"""How long to wait before restarting a child that died: doubling from ``first_s`` up to
``max_s``, back to ``first_s`` once a run has lasted ``stable_s`` (a crash after a day of work
is not a crash loop)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    first_s: float = 1.0
    max_s: float = 60.0
    stable_s: float = 60.0
    _next_s: float = 0.0

    def after_exit(self, ran_s: float) -> float:
        """The delay before the next start, given how long the run that just ended lasted."""
        if ran_s >= self.stable_s or self._next_s == 0.0:
            self._next_s = self.first_s
        else:
            self._next_s = min(self._next_s * 2.0, self.max_s)
        return self._next_s
