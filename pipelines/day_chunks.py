"""Split a range of days into contiguous chunks: one staging run (one DuckDB) per chunk.

A chunk is the unit of parallelism of staging: each is one Dagster run over a partition range,
so several run at once (``cpo pipelines run --workers N``, or the run queue of a Dagster
instance) while each still builds its days with one query per table.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, timedelta

from pipelines.errors import PipelineError

# Days per staging run for the code location's own multi-run work (UI backfills, nightly
# rebuild). Unset: one run for any range (the single-run policy, fastest on one core).
DAYS_PER_RUN_ENV = "CPO_STAGING_DAYS_PER_RUN"

Chunk = tuple[str, str]


def split(first: str, last: str, parts: int) -> list[Chunk]:
    """``first``..``last`` in at most ``parts`` contiguous ranges whose lengths differ by ≤ 1."""
    start, days = date.fromisoformat(first), _count(first, last)
    parts = max(1, min(parts, days))
    size, extra = divmod(days, parts)
    chunks: list[Chunk] = []
    offset = 0
    for i in range(parts):
        length = size + (1 if i < extra else 0)
        chunks.append(_span(start, offset, length))
        offset += length
    return chunks


def by_size(first: str, last: str, days_per_run: int) -> list[Chunk]:
    """``first``..``last`` in ranges of ``days_per_run`` days (the last one may be shorter)."""
    start, days = date.fromisoformat(first), _count(first, last)
    return [_span(start, o, min(days_per_run, days - o)) for o in range(0, days, days_per_run)]


def stretches(days: Sequence[str]) -> list[Chunk]:
    """Sorted distinct ``days`` as ranges of consecutive days (a gap of one day or more splits)."""
    chunks: list[Chunk] = []
    for day in days:
        if chunks and date.fromisoformat(day) - date.fromisoformat(chunks[-1][1]) == timedelta(1):
            chunks[-1] = (chunks[-1][0], day)
        else:
            chunks.append((day, day))
    return chunks


def lake_chunks(days: Sequence[str], workers: int) -> list[Chunk]:
    """The staging runs for sorted distinct lake ``days``: one per stretch of consecutive days
    (the days between hold no lake files, so no staging rows), the longest split in halves
    until there are ``workers`` runs or none is longer than a day; in day order."""
    chunks = stretches(days)
    while len(chunks) < workers:
        longest = max(chunks, key=lambda c: _count(*c), default=None)
        if longest is None or _count(*longest) < 2:
            break
        at = chunks.index(longest)
        chunks[at:at + 1] = split(*longest, 2)
    return chunks


def days_per_run() -> int | None:
    """``CPO_STAGING_DAYS_PER_RUN`` as a positive integer, or None when unset."""
    text = os.environ.get(DAYS_PER_RUN_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise PipelineError(f"{DAYS_PER_RUN_ENV}={text!r}: give a whole number of days ≥ 1")
    return int(text)


def days(first: str, last: str) -> list[str]:
    """Every day from ``first`` to ``last`` (YYYY-MM-DD), both included."""
    start = date.fromisoformat(first)
    return [(start + timedelta(days=i)).isoformat() for i in range(_count(first, last))]


def with_neighbours(first: str, last: str) -> list[str]:
    """``first``..``last`` and a day either side: what staging a range reads."""
    return days(shift(first, -1), shift(last, 1))


def shift(day: str, by: int) -> str:
    """``day`` moved ``by`` days (negative: earlier)."""
    return (date.fromisoformat(day) + timedelta(days=by)).isoformat()


def label(chunk: Chunk) -> str:
    return chunk[0] if chunk[0] == chunk[1] else f"{chunk[0]}..{chunk[1]}"


def _count(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days + 1


def _span(start: date, offset: int, length: int) -> Chunk:
    a = start + timedelta(days=offset)
    return a.isoformat(), (a + timedelta(days=length - 1)).isoformat()
