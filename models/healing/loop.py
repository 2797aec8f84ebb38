"""The closed loop: poll live state, decide, act through the API, verify, record the outcome.

A decision that needs a person (a hardware fault code, or the charger taken out of service after
resets that did not help) opens a maintenance ticket in the tickets store, once per charger and
cause (``models.tickets``); no command is sent for a hardware fault.

Verification, ``verify_after_s`` after an action: cured when the charger is connected, no port
is Faulted or Unavailable, and (better still) a session started after the action; the result
goes to the CSMS's ``commands`` table as an ``Outcome`` row, and feeds the escalation ladder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from csms_lite.client import AsyncCsmsClient, CommandAnswer
from models.errors import ModelError
from models.healing import policy, views
from models.healing.actions import COMMANDS, NO_COMMAND
from models.tickets import from_policy
from models.tickets.store import TicketStore

log = logging.getLogger("cpo.self_healing")
REQUESTED_BY = "self_healing"


def connect(api_url: str, token: str, timeout_s: float = 30.0) -> AsyncCsmsClient:
    """The CSMS API client the loop acts through (``async with`` it); built here so callers
    that may not import ``csms_lite`` (pipelines) need not."""
    return AsyncCsmsClient(api_url, token, timeout_s)


@dataclass
class Pending:
    command_id: str
    charge_point_id: str
    action: str
    trigger: str
    acted_at: float
    sessions_before: set[str]


@dataclass
class Journal:
    """What the loop did, for the command line and the A/B evaluation."""

    decisions: list[policy.Decision] = field(default_factory=list)
    answers: list[tuple[policy.Decision, CommandAnswer]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)  # maintenance tickets asked for


class SelfHealer:
    def __init__(
        self,
        api: AsyncCsmsClient,
        cfg: policy.PolicyConfig,
        scores: Callable[[], dict[str, policy.Score]] = dict,
        tickets: TicketStore | None = None,
    ) -> None:
        """Without ``tickets`` a ticket decision is only journaled (the A/B harness)."""
        self.api, self.cfg, self.scores = api, cfg, scores
        self.tickets = tickets
        self.memory = policy.Memory()
        self.pending: list[Pending] = []
        self.journal = Journal()

    async def tick(self, now: float) -> list[policy.Decision]:
        chargers = views.parse(await self.api.chargers())
        await self._verify(now, {c.charge_point_id: c for c in chargers})
        scores = self.scores()
        decisions = policy.decide(now, chargers, scores, self.memory, self.cfg)
        by_id = {c.charge_point_id: c for c in chargers}
        for d in decisions:
            self.journal.decisions.append(d)
            if not d.go:
                log.info(
                    "%s %s (%s): blocked by %s",
                    d.charge_point_id,
                    d.action,
                    d.trigger,
                    d.blocked_by,
                )
                continue
            if from_policy.wants_ticket(d):
                self._ticket(d, scores.get(d.charge_point_id), now)
            if d.action in NO_COMMAND:
                continue
            answer = await self._act(d)
            self.journal.answers.append((d, answer))
            log.info(
                "%s %s (%s): %s",
                d.charge_point_id,
                d.action,
                d.trigger,
                answer.status or answer.outcome,
            )
            if answer.command_id and d.action != "restore":
                sessions = {s.transaction_id for s in by_id[d.charge_point_id].sessions}
                self.pending.append(
                    Pending(
                        answer.command_id, d.charge_point_id, d.action, d.trigger, now, sessions
                    )
                )
        return decisions

    def _ticket(self, d: policy.Decision, score: policy.Score | None, now: float) -> None:
        new = from_policy.new_ticket(d, score)
        entry: dict[str, Any] = {"charge_point_id": d.charge_point_id, "cause": new.cause,
                                 "action": d.action}
        if self.tickets is not None:
            ticket, created = self.tickets.open_ticket(new, now)
            entry |= {"ticket_id": ticket.ticket_id, "created": created}
            log.info("%s: ticket %s (%s, %s)", d.charge_point_id, ticket.ticket_id, new.cause,
                     "opened" if created else "already open")
        self.journal.tickets.append(entry)

    async def _act(self, d: policy.Decision) -> CommandAnswer:
        """Send the decision's command; offline, CALLERROR and timeout are answers the
        verification handles, an invalid command is a bug of ours."""
        command, params = COMMANDS[d.action]
        reason = json.dumps({"trigger": d.trigger, **d.reason}, sort_keys=True)
        answer = await self.api.command(
            d.charge_point_id, command, params, requested_by=REQUESTED_BY, reason=reason
        )
        if answer.kind == "invalid":
            raise ModelError(f"the CSMS API refused {command} for {d.charge_point_id} as "
                             f"invalid: {answer.error or answer.error_description}")
        return answer

    async def _verify(self, now: float, chargers: dict[str, views.ChargerView]) -> None:
        due = [p for p in self.pending if now - p.acted_at >= self.cfg.verify_after_s]
        self.pending = [p for p in self.pending if now - p.acted_at < self.cfg.verify_after_s]
        for p in due:
            c = chargers.get(p.charge_point_id)
            healthy = (
                c is not None
                and c.connected
                and not any(port.status in ("Faulted", "Unavailable") for port in c.ports)
            )
            new_session = c is not None and any(
                s.transaction_id not in p.sessions_before for s in c.sessions
            )
            result = "cured" if healthy else "not_cured"
            if p.action == "inoperative":
                result = "out_of_service"
            m = self.memory.of(p.charge_point_id)
            m.unhelpful = 0 if result == "cured" else m.unhelpful + (result == "not_cured")
            detail = {
                "action": p.action,
                "trigger": p.trigger,
                "after_s": now - p.acted_at,
                "connected": bool(c and c.connected),
                "session_after": new_session,
            }
            await self.api.record_outcome(p.command_id, p.charge_point_id, result, detail,
                                          REQUESTED_BY)
            self.journal.outcomes.append(
                {"charge_point_id": p.charge_point_id, "result": result, **detail}
            )


def scores_from(predictions: Path) -> Callable[[], dict[str, policy.Score]]:
    """Read the latest ``predictions`` mart whenever it changes (scoring runs every 15 min)."""
    cache: dict[str, Any] = {"mtime": None, "scores": {}}

    def load() -> dict[str, policy.Score]:
        if not predictions.exists():
            return {}
        mtime = predictions.stat().st_mtime
        if mtime != cache["mtime"]:
            df = pl.read_parquet(predictions)
            latest = df.sort("feature_at").group_by("charge_point_id").last()
            cache["scores"] = {
                r["charge_point_id"]: policy.Score(
                    r["probability"],
                    bool(r["alert"]),
                    r["top_features"] or "[]",
                    r.get("route"),
                    r.get("route_probability"),
                )
                for r in latest.iter_rows(named=True)
            }
            cache["mtime"] = mtime
        return dict(cache["scores"])

    return load


def describe(d: policy.Decision) -> str:
    verdict = "sent" if d.go else f"blocked ({d.blocked_by})"
    return (
        f"{d.charge_point_id:16} {d.action:12} {d.trigger:16} {verdict:24} {json.dumps(d.reason)}"
    )
