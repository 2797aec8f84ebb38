"""Which staging days a refresh must rebuild, from what changed in the lake since the last one.

A day's staging reads the lake a day either side: the day before for silences and gaps that
cross midnight, the day after for the answers to its last calls. So a day is stale when its own
part files changed or the day before's did; and when the day after gained frames early enough
to answer one of its calls (``ANSWERS_WITHIN`` after midnight). A live lake grows at its end,
so a 15-minute refresh in the afternoon restages today only, not yesterday as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import duckdb

from ingest.lake.listing import PartFile
from ingest.lake.schemas import TABLES, partition_column
from pipelines import day_chunks

Parts = frozenset[tuple[str, PartFile]]

# Answers to a day's calls that arrive later than this after midnight are too late to change
# its staging: the CSMS times out its own calls within minutes, and chargers answer in seconds.
ANSWERS_WITHIN = timedelta(hours=1)


def stale_days(days: list[str], now: Mapping[str, Parts], seen: Mapping[str, Parts]) -> list[str]:
    """The ``days`` to restage, given the lake's parts ``now`` and when last staged (``seen``)."""
    changed = {d for d in {*now, *seen} if now.get(d, frozenset()) != seen.get(d, frozenset())}
    return [d for d in days
            if d in changed or day_chunks.shift(d, -1) in changed
            or _answers_reach_back(day_chunks.shift(d, 1), now, seen, changed)]


def changed_since(now: Mapping[str, Parts], seen: Mapping[str, Parts]) -> datetime | None:
    """The earliest server time whose staging rows can differ from when last staged (None: no
    part file changed). A day that only gained part files changed from their earliest frame,
    less ``ANSWERS_WITHIN`` (an answer stages on its call's row); any other change, from that
    much before its midnight. Staging rows are stamped with the frame that made them, and the
    incremental marts are causal by hour, so they rebuild from this instant's hour on. Only the
    first changed day counts: a later day's frames are all later than the first day's bound."""
    changed = sorted(d for d in {*now, *seen}
                     if now.get(d, frozenset()) != seen.get(d, frozenset()))
    if not changed:
        return None
    before, after = seen.get(changed[0], frozenset()), now.get(changed[0], frozenset())
    earliest = _earliest(after - before) if before <= after else None
    if earliest is None:
        earliest = datetime.fromisoformat(f"{changed[0]}T00:00:00+00:00")
    return earliest - ANSWERS_WITHIN


def _answers_reach_back(day: str, now: Mapping[str, Parts], seen: Mapping[str, Parts],
                        changed: set[str]) -> bool:
    """Whether ``day``'s change can alter the staging of the day before it."""
    if day not in changed:
        return False
    before, after = seen.get(day, frozenset()), now.get(day, frozenset())
    if not before <= after:  # a part file went away or was rewritten: assume anything
        return True
    earliest = _earliest(after - before)
    midnight = datetime.fromisoformat(f"{day}T00:00:00+00:00")
    return earliest is None or earliest < midnight + ANSWERS_WITHIN


def _earliest(parts: Parts) -> datetime | None:
    """The earliest server time in ``parts`` (None if it cannot be read: assume the worst)."""
    found: list[datetime] = []
    try:
        with duckdb.connect() as conn:
            for table in sorted({t for t, _ in parts}):
                uris = [p.uri for t, p in parts if t == table]
                column = partition_column(TABLES[table])
                row = conn.execute(f'SELECT min("{column}") FROM read_parquet(?)', [uris])
                value = row.fetchone()
                if value is not None and isinstance(value[0], datetime):
                    found.append(value[0])
    except duckdb.Error:
        return None
    return min(found) if found else None
