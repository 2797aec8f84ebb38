"""A predicted fault the router says needs a technician becomes a maintenance ticket (with the
predicted type, probability, features and parts) and no reset; a curable one keeps the ladder."""

from __future__ import annotations

import json
from pathlib import Path

from models.fault import routing
from models.healing import policy
from models.healing.actions import NO_COMMAND
from models.healing.views import ChargerView, Port
from models.tickets import from_policy
from models.tickets.store import TicketStore

HOUR = 3600.0
CHARGER = ChargerView("CP-1", True, 0.0, None, None, 900, (Port("1", "Available", None, 0.0),), ())
POWER = routing.Routing("CP-1", routing.TECHNICIAN, "power_module", 0.71, 0.83,
                        [{"feature": "temp_6h_above_7d", "value": 9.0, "weight": 1.2}],
                        ("power module", "cooling fan and filters"))
CURABLE = routing.Routing("CP-1", routing.RESET, "firmware_hang", 0.64, 0.2)


def _score(r: routing.Routing) -> dict[str, policy.Score]:
    return {"CP-1": policy.Score(0.4, True, '[{"feature": "warnings_24h"}]', r)}


def test_a_technician_fault_gets_a_ticket_and_no_reset(tmp_path: Path) -> None:
    cfg, memory = policy.PolicyConfig(), policy.Memory()
    [d] = policy.decide(0.0, [CHARGER], _score(POWER), memory, cfg)
    assert (d.trigger, d.action, d.go) == ("predicted_hardware", "ticket", True)
    assert d.action in NO_COMMAND  # the loop sends no command for it
    assert from_policy.wants_ticket(d)
    store = TicketStore(tmp_path / "tickets.sqlite")
    ticket, created = store.open_ticket(from_policy.new_ticket(d, _score(POWER)["CP-1"]), 0.0)
    assert created
    assert ticket.created_by == "policy"
    assert ticket.trigger == "predicted_hardware"
    assert ticket.cause == "faulted_hardware"
    assert ticket.predicted_fault_type == "power_module"
    assert ticket.probability is not None
    assert abs(ticket.probability - 0.4) < 1e-9
    assert ticket.reason["suggested_parts"] == ["power module", "cooling fan and filters"]
    assert ticket.reason["routing_features"][0]["feature"] == "temp_6h_above_7d"
    assert json.loads(ticket.top_features or "[]")[0]["feature"] == "warnings_24h"
    # the alert stays on: no second ticket (nor a reset) within the dispatch cooldown, while
    # the van is on its way
    assert policy.decide(HOUR, [CHARGER], _score(POWER), memory, cfg) == []
    assert policy.decide(25 * HOUR, [CHARGER], _score(POWER), memory, cfg) == []
    later = cfg.dispatch_cooldown_s + HOUR
    [again] = policy.decide(later, [CHARGER], _score(POWER), memory, cfg)
    assert again.action == "ticket"


def test_a_curable_prediction_keeps_the_reset_ladder() -> None:
    [d] = policy.decide(0.0, [CHARGER], _score(CURABLE), policy.Memory(), policy.PolicyConfig())
    assert (d.trigger, d.action, d.go) == ("predicted", "soft_reset", True)


def test_the_technician_threshold_is_the_operators() -> None:
    """An A/B can ask for more confidence before a ticket replaces the reset."""
    cfg = policy.PolicyConfig(technician_at=0.9)
    [d] = policy.decide(0.0, [CHARGER], _score(POWER), policy.Memory(), cfg)
    assert (d.trigger, d.action) == ("predicted", "soft_reset")  # 0.83 < 0.9
