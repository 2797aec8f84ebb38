"""The self-healing policy: from live state and fault scores to actions, behind guard rails.

Triggers, strongest first:
- ``faulted``: a port Faulted for longer than ``fault_grace_s`` (trips clear themselves within
  minutes) with a code a reset usually cures (hardware codes go straight to a technician);
- ``silent``: the socket is open but nothing has come for heartbeat x tolerance (a hung
  firmware or a broken link the TCP stack has not noticed);
- ``flapping``: the charger reconnected ``flap_connects`` times within ``flap_window_s``;
- ``predicted``: the fault model's alert (its probability over the budget threshold), on a
  connected charger with no port Faulted (a fault already on is the ``faulted`` trigger's, which
  knows hardware codes), not within ``prediction_cooldown_s`` of the last action on it: for a
  day after a fault or a reset the features still hold them (and the reset's own reboot) in
  their 24-hour windows, so the same alert would otherwise send a reset every cooldown for
  nothing. When the fault-type router (``models.fault.routing``) says the coming fault needs a
  technician, the trigger is ``predicted_hardware``: a maintenance ticket with the predicted
  type, probability, top features and parts, and no futile reset.

The ladder per charger: soft reset, then hard reset, then ChangeAvailability Inoperative and a
maintenance ticket, climbing one rung for each action that did not help (verified later). A
fault with a hardware code (ground fault, over-temperature...) gets a maintenance ticket at
once and no reset. A charger taken out of service is put back (ChangeAvailability Operative)
once it has rebooted, say after the technician's visit, and shows no fault.

Guard rails, checked in this order for every candidate action: deny list, allow list, never
during energy delivery, never while a session is open on a port that is not Faulted (a reset
ends a paused SuspendedEV session too; for a predicted fault, which can wait, never while any
session is open), per-charger cooldown, network cap of resets per hour, dry-run.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from models.fault.routing import TECHNICIAN_AT, Routing
from models.healing.views import CURABLE_CODES, ChargerView

LADDER = ("soft_reset", "hard_reset", "inoperative")


@dataclass(frozen=True)
class PolicyConfig:
    dry_run: bool = False
    cooldown_s: float = 3600.0
    max_resets_per_hour: int = 10
    allow: frozenset[str] | None = None  # None: every charger
    deny: frozenset[str] = frozenset()
    escalate_after: int = 2  # unhelpful resets before taking the charger out of service
    fault_grace_s: float = 600.0  # self-clearing trips last minutes
    silent_tolerance: float = 3.0
    flap_connects: int = 3
    flap_window_s: float = 6 * 3600.0
    verify_after_s: float = 1800.0
    act_on_predictions: bool = True
    prediction_cooldown_s: float = 24 * 3600.0  # no alert acted on this soon after an action
    # Predictive dispatch: an alert routed to a technician (``Score.routing``) whose technician
    # probability reaches ``technician_at`` opens a ticket instead of a futile reset, at most
    # once per ``dispatch_cooldown_s`` per charger (the warnings that led to it stay in the
    # features for two days after the visit). Off: such alerts climb the reset ladder.
    dispatch_on_predictions: bool = True
    technician_at: float = TECHNICIAN_AT
    dispatch_cooldown_s: float = 5 * 86400.0


@dataclass(frozen=True)
class Score:
    probability: float
    alert: bool
    top_features: str = "[]"
    routing: Routing | None = None  # reset or technician, when a router is available


@dataclass(frozen=True)
class Decision:
    charge_point_id: str
    action: str  # soft_reset, hard_reset, inoperative
    trigger: str  # faulted, silent, flapping, predicted
    reason: dict[str, Any]
    blocked_by: str | None = None  # the guard rail that stopped it, if any

    @property
    def go(self) -> bool:
        return self.blocked_by is None


@dataclass
class ChargerMemory:
    unhelpful: int = 0  # actions verified as not cured since the last cure
    last_action_at: float | None = None
    connects: deque[float] = field(default_factory=deque)
    was_connected: bool = True
    out_of_service: bool = False
    out_of_service_at: float = 0.0
    ticket_open: bool = False
    predicted_ticket_at: float | None = None  # the last ticket a routed alert opened


@dataclass
class Memory:
    chargers: dict[str, ChargerMemory] = field(default_factory=dict)
    resets: deque[float] = field(default_factory=deque)

    def of(self, cp_id: str) -> ChargerMemory:
        return self.chargers.setdefault(cp_id, ChargerMemory())


def observe(memory: Memory, now: float, chargers: list[ChargerView], cfg: PolicyConfig) -> None:
    """Remember reconnections (a flapping link shows only across polls)."""
    for c in chargers:
        m = memory.of(c.charge_point_id)
        if c.connected and not m.was_connected:
            m.connects.append(now)
        m.was_connected = c.connected
        while m.connects and now - m.connects[0] > cfg.flap_window_s:
            m.connects.popleft()
    while memory.resets and now - memory.resets[0] > 3600.0:
        memory.resets.popleft()


def trigger_of(
    c: ChargerView, now: float, score: Score | None, m: ChargerMemory, cfg: PolicyConfig
) -> tuple[str, dict[str, Any]] | None:
    faulted = [p for p in c.faulted_ports() if now - p.since > cfg.fault_grace_s]
    if faulted:
        codes = sorted({str(p.error_code) for p in faulted})
        if all(p.error_code in CURABLE_CODES for p in faulted):
            return "faulted", {"ports": [p.connector for p in faulted], "codes": codes}
        return "faulted_hardware", {"ports": [p.connector for p in faulted], "codes": codes}
    if c.silent(now, cfg.silent_tolerance):
        return "silent", {"last_seen_s_ago": round(now - (c.last_seen or now))}
    if len(m.connects) >= cfg.flap_connects:
        return "flapping", {"connects": len(m.connects), "window_h": cfg.flap_window_s / 3600}
    if not cfg.act_on_predictions or score is None or not score.alert:
        return None
    acted = m.last_action_at is not None and now - m.last_action_at < cfg.prediction_cooldown_s
    if c.connected and not c.faulted_ports() and not acted:  # a fault on is ``faulted``'s case
        reason: dict[str, Any] = {
            "probability": round(score.probability, 4),
            "top_features": score.top_features,
        }
        r = score.routing
        if (cfg.dispatch_on_predictions and r is not None
                and r.technician_probability >= cfg.technician_at):
            ticketed = m.predicted_ticket_at is not None and (
                now - m.predicted_ticket_at < cfg.dispatch_cooldown_s
            )
            if ticketed:
                return None
            return "predicted_hardware", reason | {
                "fault_type": r.fault_type,
                "type_probability": round(r.probability, 4),
                "technician_probability": round(r.technician_probability, 4),
                "routing_features": r.top_features,
                "suggested_parts": list(r.suggested_parts),
            }
        return "predicted", reason
    return None


def decide(
    now: float,
    chargers: list[ChargerView],
    scores: dict[str, Score],
    memory: Memory,
    cfg: PolicyConfig,
) -> list[Decision]:
    """One decision per charger that has a trigger; ``blocked_by`` names a guard rail."""
    observe(memory, now, chargers, cfg)
    out: list[Decision] = []
    for c in chargers:
        m = memory.of(c.charge_point_id)
        if not c.faulted_ports():
            m.ticket_open = False
        if m.out_of_service:
            if _back(c, m):
                m.out_of_service, m.unhelpful = False, 0
                out.append(
                    Decision(
                        c.charge_point_id, "restore", "repaired", {"rebooted_at": c.connected_since}
                    )
                )
            continue
        found = trigger_of(c, now, scores.get(c.charge_point_id), m, cfg)
        if found is None:
            continue
        trigger, reason = found
        if trigger == "faulted_hardware":
            if not m.ticket_open:
                m.ticket_open = True
                out.append(Decision(c.charge_point_id, "ticket", trigger, reason))
            continue
        if trigger == "predicted_hardware":  # a person must go: no reset
            m.predicted_ticket_at = m.last_action_at = now  # the alert's cooldown holds too
            out.append(Decision(c.charge_point_id, "ticket", trigger, reason))
            continue
        rung = LADDER[min(m.unhelpful, cfg.escalate_after, 2)]
        if m.unhelpful >= cfg.escalate_after:
            rung = "inoperative"
        decision = Decision(
            c.charge_point_id, rung, trigger, reason, _guard(c, now, rung, trigger, m, memory, cfg)
        )
        if decision.go or decision.blocked_by == "dry_run":
            m.last_action_at = now  # a dry run logs each would-be action once per cooldown
        if decision.go:
            if rung != "inoperative":
                memory.resets.append(now)
                # The reconnections so far are answered; the reboot's own must not count as
                # flapping (they kept a cured link "flapping", a reset an hour, for 6 h).
                m.connects.clear()
            else:
                m.out_of_service, m.out_of_service_at = True, now
        out.append(decision)
    return out


def _back(c: ChargerView, m: ChargerMemory) -> bool:
    """Rebooted since we took it out of service, connected, and nothing Faulted."""
    rebooted = c.connected_since is not None and c.connected_since > m.out_of_service_at
    return rebooted and c.connected and not c.faulted_ports()


def _guard(
    c: ChargerView,
    now: float,
    rung: str,
    trigger: str,
    m: ChargerMemory,
    memory: Memory,
    cfg: PolicyConfig,
) -> str | None:
    if c.charge_point_id in cfg.deny:
        return "deny_list"
    if cfg.allow is not None and c.charge_point_id not in cfg.allow:
        return "not_in_allow_list"
    if c.delivering_energy:
        return "energy_delivery"
    if c.sessions_in_progress() or (trigger == "predicted" and c.sessions):
        return "session_open"
    if m.last_action_at is not None and now - m.last_action_at < cfg.cooldown_s:
        return "cooldown"
    if rung != "inoperative" and len(memory.resets) >= cfg.max_resets_per_hour:
        return "network_reset_cap"
    if cfg.dry_run:
        return "dry_run"
    return None
