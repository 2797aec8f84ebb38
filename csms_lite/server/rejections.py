"""How many refused handshakes reach the lake: a source that keeps knocking (a flooder closed
with 1008 that reconnects at once, a scanner) must not fill the disk one row per knock. Each
source address gets ``per_minute`` rows a minute; the rest are counted, and the count goes into
the next row that is stored for it ("and N more refusals not stored")."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

WINDOW_S = 60.0


@dataclass(slots=True)
class _Window:
    start: float
    stored: int = 0
    held: int = 0  # refusals not stored since the last stored row


class RejectionRows:
    def __init__(self, per_minute: int, max_sources: int = 10_000) -> None:
        self.per_minute = per_minute  # 0: every refusal is stored
        self.max_sources = max_sources
        self._sources: OrderedDict[str, _Window] = OrderedDict()

    def admit(self, source: str, now: float) -> int | None:
        """None: do not store this refusal (it is counted). Else how many refusals from
        ``source`` were not stored before this one (usually 0)."""
        if not self.per_minute:
            return 0
        window = self._sources.pop(source, None) or _Window(now)
        self._sources[source] = window  # newest last
        while len(self._sources) > self.max_sources:
            self._sources.popitem(last=False)
        if now - window.start >= WINDOW_S:
            window.start, window.stored = now, 0
        if window.stored >= self.per_minute:
            window.held += 1
            return None
        window.stored += 1
        held, window.held = window.held, 0
        return held
