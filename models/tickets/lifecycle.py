"""The ticket lifecycle: open -> dispatched -> on_site -> resolved | false_alarm.

A ticket may be closed as a false alarm at any point before it is resolved (the fault cleared,
the technician found nothing); ``resolved`` needs someone on site. Closed tickets stay closed:
a recurring fault is a new ticket, so each visit keeps its own outcome label.
"""

from __future__ import annotations

from models.errors import BadTransitionError

OPEN, DISPATCHED, ON_SITE, RESOLVED, FALSE_ALARM = (
    "open", "dispatched", "on_site", "resolved", "false_alarm",
)  # fmt: skip
STATES = (OPEN, DISPATCHED, ON_SITE, RESOLVED, FALSE_ALARM)
ACTIVE = (OPEN, DISPATCHED, ON_SITE)  # a person is still to go or is there
CLOSED = (RESOLVED, FALSE_ALARM)
NEXT: dict[str, tuple[str, ...]] = {
    OPEN: (DISPATCHED, FALSE_ALARM),
    DISPATCHED: (ON_SITE, FALSE_ALARM),
    ON_SITE: (RESOLVED, FALSE_ALARM),
    RESOLVED: (),
    FALSE_ALARM: (),
}
# The label a closed ticket gives the fault model: a real fault, or none.
OUTCOME_LABELS = {RESOLVED: "fault", FALSE_ALARM: "false_alarm"}


def check(ticket_id: str, current: str, to: str) -> None:
    """Raise ``BadTransitionError`` naming what ``current`` may become instead."""
    if to not in STATES:
        raise BadTransitionError(f"{to!r} is not a ticket state; use one of {', '.join(STATES)}")
    if to in NEXT[current]:
        return
    allowed = " or ".join(NEXT[current])
    then = f"it can go to {allowed}" if allowed else "it is closed"
    raise BadTransitionError(f"ticket {ticket_id} is {current}: {then}, not {to}")
