"""How much of a flood reaches the lake. Frames the CSMS served (a CALL answered with a
CALLRESULT, the answer to one of our commands) are always stored: the rate limits bound them.
Everything else (unparsable, refused, unsolicited, over the limit, after the close decision) is
stored while the charge point, and the node, stay under a byte budget per minute; past it, rows
are counted, and the counts go to the lake as one ``connection_events`` row per connection and
minute (event :data:`LAKE_QUOTA`), never frame by frame."""

from __future__ import annotations

import time
from dataclasses import dataclass

from csms_lite.timefmt import utc_iso

LAKE_QUOTA = "lake_quota"  # the connection event that counts what a flood did not store
WINDOW_S = 60.0
ROW_BYTES = 128  # what one row costs beyond the frame's text (columns, Parquet overhead)


class MinuteBudget:
    """Bytes per fixed one-minute window (monotonic clock); a limit of 0 never runs out."""

    __slots__ = ("_start", "_used", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._start = time.monotonic()
        self._used = 0

    def spend(self, amount: int, now: float) -> bool:
        if now - self._start >= WINDOW_S:
            self._start, self._used = now, 0
        if self.limit and self._used + amount > self.limit:
            return False
        self._used += amount
        return True


@dataclass(slots=True)
class Dropped:
    """Rows of one connection not stored in the current window."""

    since: float  # CSMS clock, first drop
    frames: int = 0
    rows: int = 0
    bytes: int = 0


class LakeQuota:
    """One connection's view: its charge point's budget (which outlives the connection, so a
    reconnect buys nothing), inside the node's shared one; what it dropped, counted."""

    __slots__ = ("_window_start", "charger", "dropped", "node")

    def __init__(self, charger: MinuteBudget, node: MinuteBudget) -> None:
        self.charger = charger
        self.node = node
        self.dropped: Dropped | None = None
        self._window_start = time.monotonic()

    def allow(self, rows: int, frame_bytes: int, at: float) -> bool:
        """May these rows of one frame be stored? If not, they are counted."""
        now = time.monotonic()
        cost = frame_bytes + ROW_BYTES * rows
        if self.charger.spend(cost, now) and self.node.spend(cost, now):
            return True
        dropped = self.dropped
        if dropped is None:
            dropped = self.dropped = Dropped(at)
            self._window_start = now
        dropped.frames += 1
        dropped.rows += rows
        dropped.bytes += frame_bytes
        return False

    def due(self, closing: bool = False) -> Dropped | None:
        """The counts to write now (a minute after the first drop, or at the close), once."""
        dropped = self.dropped
        if dropped is None:
            return None
        if not closing and time.monotonic() - self._window_start < WINDOW_S:
            return None
        self.dropped = None
        return dropped


def summary(dropped: Dropped, now: float, per_charger: int) -> str:
    """The reason text of the :data:`LAKE_QUOTA` row: what was not stored, counted."""
    return (
        f"not stored (over the lake quota of {per_charger} bytes/min per charge point or the "
        f"node's): frames={dropped.frames} rows={dropped.rows} bytes={dropped.bytes} "
        f"from={utc_iso(dropped.since)} to={utc_iso(now)}"
    )
