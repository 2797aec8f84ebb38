"""Tickets from the self-healing policy's decisions: the policy owns the rules (a hardware fault
code; ``escalate_after`` resets that did not help, when it takes the charger out of service);
this only turns such a decision into what a ticket is opened with."""

from __future__ import annotations

import json

from models.healing.policy import Decision, Score
from models.tickets.store import NewTicket

HARDWARE = "faulted_hardware"
PREDICTED_HARDWARE = "predicted_hardware"  # an alert routed to a technician, before onset
RESETS_UNHELPFUL = "resets_unhelpful"
POLICY, RULES = "policy", "rules"
# The fault model predicts "a fault within its horizon", not a type: say so plainly.
PREDICTED_FAULT = "fault_within_horizon"


def wants_ticket(d: Decision) -> bool:
    """A ticket decision, or taking the charger out of service (the ladder's last rung)."""
    return d.go and d.action in ("ticket", "inoperative")


def new_ticket(d: Decision, score: Score | None) -> NewTicket:
    """``created_by`` is ``policy`` when the fault model's alert started what led here (the
    ticket then carries its probability and top features), ``rules`` otherwise."""
    predicted = d.trigger == "predicted"
    trigger = RESETS_UNHELPFUL
    if d.action == "ticket":
        trigger = PREDICTED_HARDWARE if predicted else HARDWARE
    ports = d.reason.get("ports") or []
    probability = d.reason.get("probability") if predicted else None
    features = d.reason.get("top_features") if predicted else None
    if predicted and score is not None:
        probability, features = score.probability, score.top_features
    return NewTicket(
        charge_point_id=d.charge_point_id,
        created_by=POLICY if predicted else RULES,
        trigger=trigger,
        cause=trigger,
        reason={"trigger": d.trigger, **d.reason},
        port=",".join(str(p) for p in ports) or None,
        predicted_fault_type=_predicted_type(d) if predicted else None,
        probability=None if probability is None else float(probability),
        top_features=None if features is None else _text(features),
    )


def _predicted_type(d: Decision) -> str:
    """What the alert's route says the fault needs, or only that one is coming."""
    route = d.reason.get("route")
    return f"needs_{route}" if route else PREDICTED_FAULT


def _text(features: object) -> str:
    return features if isinstance(features, str) else json.dumps(features)
