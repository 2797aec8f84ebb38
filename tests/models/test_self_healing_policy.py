"""The policy on its own (no CSMS): when a model alert is, and is not, a reason to act."""

from __future__ import annotations

from typing import Any

from models.healing import policy
from models.healing.views import ChargerView, Port, Session, parse

HOUR = 3600.0
ALERT = {"CP-1": policy.Score(0.4, True, '[{"feature": "reboots_24h"}]')}


def _charger(
    status: str = "Available", connected: bool = True, sessions: tuple[Session, ...] = ()
) -> ChargerView:
    code = "InternalError" if status == "Faulted" else None
    return ChargerView(
        "CP-1", connected, 0.0, None, None, 900, (Port("1", status, code, 0.0),), sessions
    )


def _decide(
    now: float,
    memory: policy.Memory,
    cfg: policy.PolicyConfig,
    charger: ChargerView | None = None,
) -> list[str]:
    decisions = policy.decide(now, [charger or _charger()], ALERT, memory, cfg)
    return [f"{d.trigger}:{d.action}:{d.blocked_by}" for d in decisions]


def test_an_alert_is_acted_on_once_per_prediction_cooldown() -> None:
    cfg, memory = policy.PolicyConfig(), policy.Memory()
    assert _decide(0.0, memory, cfg) == ["predicted:soft_reset:None"]
    # Past the per-charger cooldown (1 h) the same alert is no trigger: its features still hold
    # the signals and the reset's own reboot.
    assert _decide(2 * HOUR, memory, cfg) == []
    assert _decide(23 * HOUR, memory, cfg) == []
    assert _decide(24 * HOUR, memory, cfg) == ["predicted:soft_reset:None"]


def test_without_a_prediction_cooldown_the_alert_repeats_every_cooldown() -> None:
    cfg, memory = policy.PolicyConfig(prediction_cooldown_s=0.0), policy.Memory()
    assert _decide(0.0, memory, cfg) == ["predicted:soft_reset:None"]
    assert _decide(0.5 * HOUR, memory, cfg) == ["predicted:soft_reset:cooldown"]
    assert _decide(2 * HOUR, memory, cfg) == ["predicted:soft_reset:None"]


def test_no_alert_is_acted_on_for_a_day_after_a_rule_action() -> None:
    cfg, memory = policy.PolicyConfig(fault_grace_s=0.0), policy.Memory()
    faulted = _charger("Faulted")
    assert _decide(60.0, memory, cfg, faulted) == ["faulted:soft_reset:None"]
    assert _decide(2 * HOUR, memory, cfg) == []
    assert _decide(24 * HOUR + 60.0, memory, cfg) == ["predicted:soft_reset:None"]


def test_an_alert_waits_for_the_session_to_end_and_ignores_offline_or_faulted_chargers() -> None:
    cfg, memory = policy.PolicyConfig(), policy.Memory()
    suspended = _charger(sessions=(Session("7", 1, "SuspendedEV"),))
    assert _decide(0.0, memory, cfg, suspended) == ["predicted:soft_reset:session_open"]
    assert _decide(300.0, memory, cfg, _charger(connected=False)) == []
    # Faulted within the grace: the faulted trigger decides after it (a hardware code: a ticket).
    assert _decide(400.0, memory, cfg, _charger("Faulted")) == []
    assert _decide(600.0, memory, cfg) == ["predicted:soft_reset:None"]


def test_rules_still_act_on_a_suspended_session() -> None:
    """Only the predicted trigger waits for the plug: a faulted port is not delivering."""
    cfg = policy.PolicyConfig(fault_grace_s=0.0, act_on_predictions=False)
    memory = policy.Memory()
    suspended = _charger("Faulted", sessions=(Session("7", 1, "SuspendedEV"),))
    assert _decide(60.0, memory, cfg, suspended) == ["faulted:soft_reset:None"]


def _two_ports(sessions: tuple[Session, ...], keys: tuple[str, str] = ("1", "2")) -> ChargerView:
    ports = (Port(keys[0], "Faulted", "InternalError", 0.0), Port(keys[1], "Occupied", None, 0.0))
    return ChargerView("CP-1", True, 0.0, None, None, 900, ports, sessions)


def test_a_rule_reset_waits_for_a_paused_session_on_another_port() -> None:
    """A reset ends every session on the charger: one paused (SuspendedEV) beside the faulted
    port is still a driver's session, while the faulted port's own was already cut."""
    cfg = policy.PolicyConfig(fault_grace_s=0.0, act_on_predictions=False)
    paused = (Session("8", 2, "SuspendedEV"),)
    assert _decide(60.0, policy.Memory(), cfg, _two_ports(paused)) == [
        "faulted:soft_reset:session_open"
    ]
    on_faulted = (Session("7", 1, "SuspendedEV"),)
    assert _decide(60.0, policy.Memory(), cfg, _two_ports(on_faulted)) == [
        "faulted:soft_reset:None"
    ]


def test_sessions_are_placed_on_2_0_1_evses_from_the_api() -> None:
    """2.0.1 ports are "evse/connector" and a transaction names its EVSE: EVSE 1's session is on
    the faulted port 1/1 even though its connector id (2) matches nothing."""
    tx: dict[str, Any] = {
        "transaction_id": "t1",
        "connector_id": 2,
        "evse_id": 1,
        "charging_state": "EVConnected",
    }
    api: dict[str, Any] = {
        "charge_point_id": "CP-1",
        "connected": True,
        "connectors": {
            "1/1": {"status": "Faulted", "error_code": "InternalError", "at": 0.0},
            "2/1": {"status": "Available", "at": 0.0},
        },
        "open_transactions": [tx],
    }
    (view,) = parse([api])
    assert view.sessions_in_progress() == []
    tx["evse_id"] = 2
    (view,) = parse([api])
    assert [s.transaction_id for s in view.sessions_in_progress()] == ["t1"]


def test_a_reset_answers_the_flapping_it_was_sent_for() -> None:
    """The reconnections before a reset, and the reboot's own, do not trigger the next one."""
    cfg, memory = policy.PolicyConfig(act_on_predictions=False), policy.Memory()
    t = 0.0
    for _ in range(3):  # three drops and reconnects within the flap window
        assert _decide(t, memory, cfg, _charger(connected=False)) == []
        t += 600.0
        found = _decide(t, memory, cfg)
        t += 600.0
    assert found == ["flapping:soft_reset:None"]
    for _ in range(2):  # the reset's reboot, then a quiet link past the cooldown
        assert _decide(t, memory, cfg, _charger(connected=False)) == []
        assert _decide(t + 600.0, memory, cfg) == []
        t += 2 * HOUR
