"""Tickets from the self-healing policy's decisions: the policy owns the rules (a hardware fault
code; ``escalate_after`` resets that did not help, when it takes the charger out of service);
this only turns such a decision into what a ticket is opened with."""

from __future__ import annotations

import json

from models.healing.policy import Decision, Score
from models.tickets.store import NewTicket

HARDWARE = "faulted_hardware"
PREDICTED_HARDWARE = "predicted_hardware"  # the router says the coming fault needs a person
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
    trigger = HARDWARE if d.action == "ticket" else RESETS_UNHELPFUL
    if d.trigger == PREDICTED_HARDWARE:
        trigger = PREDICTED_HARDWARE
    predicted = d.trigger in ("predicted", PREDICTED_HARDWARE)
    ports = d.reason.get("ports") or []
    probability = d.reason.get("probability") if predicted else None
    features = d.reason.get("top_features") if predicted else None
    if predicted and score is not None:
        probability, features = score.probability, score.top_features
    return NewTicket(
        charge_point_id=d.charge_point_id,
        created_by=POLICY if predicted else RULES,
        trigger=trigger,
        cause=HARDWARE if trigger == PREDICTED_HARDWARE else trigger,  # one ticket per problem
        reason={"trigger": d.trigger, **d.reason},
        port=",".join(str(p) for p in ports) or None,
        predicted_fault_type=d.reason.get("fault_type", PREDICTED_FAULT) if predicted else None,
        probability=None if probability is None else float(probability),
        top_features=None if features is None else _text(features),
    )


def _text(features: object) -> str:
    return features if isinstance(features, str) else json.dumps(features)
