"""What a user reads about the rows of a file that cannot be replayed: counts by kind, where
they are, one example each, and how to fix them; then one line for ``--on-bad-row``."""

from __future__ import annotations

import re
from collections import defaultdict

from ingest.replay.row_checks import FIXES, TWO_DIGIT_YEAR_FIX, Problem, RowIssue
from ingest.replay.session import ReadResult

SHOWN_PLACES = 8  # places listed per kind; the rest are counted
_SMALL_YEAR = re.compile(r"\(year \d{1,2}\)")


def issue_lines(issues: list[RowIssue]) -> list[str]:
    """One line per kind, in the order of ``Problem``: count, places, an example, the fix."""
    by_kind: dict[Problem, list[RowIssue]] = defaultdict(list)
    for issue in issues:
        by_kind[issue.kind].append(issue)
    out = []
    for kind in Problem:
        found = by_kind.get(kind)
        if not found:
            continue
        places = ", ".join(i.where for i in found[:SHOWN_PLACES])
        more = f" (+{len(found) - SHOWN_PLACES:,} more)" if len(found) > SHOWN_PLACES else ""
        out.append(f"  {kind} x{len(found):,}: {places}{more}; e.g. {found[0].where}: "
                   f"{found[0].detail}. Fix: {fix(kind, found)}")
    return out


def fix(kind: Problem, found: list[RowIssue]) -> str:
    if kind is Problem.IMPLAUSIBLE_DATE and any(_SMALL_YEAR.search(i.detail) for i in found):
        return TWO_DIGIT_YEAR_FIX
    return FIXES[kind]


def summary(result: ReadResult) -> str:
    """``12 rows set aside (duplicate row x2, zero energy x10)``, or that none were."""
    counts = result.skipped
    if not counts:
        return f"all {result.rows:,} rows valid"
    why = ", ".join(f"{k} x{v:,}" for k, v in sorted(counts.items()))
    return f"{sum(counts.values()):,} of {result.rows:,} rows cannot be replayed ({why})"


def stop_message(result: ReadResult) -> str:
    """The one-line reason the default policy (stop) gives before anything is sent."""
    fixes = "; ".join(dict.fromkeys(fix(i.kind, [i]) for i in result.issues))
    return (f"{result.path}: {summary(result)}; nothing was replayed. Fix: {fixes}; or pass "
            f"--on-bad-row skip to replay the other {len(result.sessions):,} sessions")
