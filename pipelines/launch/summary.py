"""What one ``cpo pipelines run`` did: steps, checks, rows per asset, what failed."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class RunSummary:
    first_day: str
    last_day: str
    steps_ok: int = 0
    checks_run: int = 0
    steps_failed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    # Several watchers (one per staging run) update one summary.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.steps_failed and not self.checks_failed
