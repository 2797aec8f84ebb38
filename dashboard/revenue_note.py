"""Where the revenue on a page comes from: a session file's own amounts (``cpo replay
--price-col``, ``session_charges.revenue_source = 'file'``) or an estimate from the tariff."""

from __future__ import annotations

from collections.abc import Mapping

FILE = "file"  # session_charges.revenue_source of a session priced by its file
ESTIMATE = "tariff_estimate"


def revenue_note(sessions_by_source: Mapping[str, int]) -> str | None:
    """One caption line; None when there are no sessions."""
    from_file = sessions_by_source.get(FILE, 0)
    estimated = sum(n for source, n in sessions_by_source.items() if source != FILE)
    if from_file and not estimated:
        return "Revenue: the session file's own amounts."
    if estimated and not from_file:
        return "Revenue is an estimate from the default tariff (the sessions carry no price)."
    if from_file and estimated:
        noun = "session" if from_file == 1 else "sessions"
        return (f"Revenue: the session file's own amounts for {from_file:,} {noun}; an "
                f"estimate from the default tariff for the other {estimated:,}.")
    return None
