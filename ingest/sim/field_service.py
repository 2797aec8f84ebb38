"""The simulated field-service company: it reads the maintenance tickets the workbench hands
over (the files ``pipelines.field_service`` writes to ``DATA/tickets/outbox``, exactly what a
real field-service system would receive), sends a technician to each charger after a response
time, and reports back on every ticket it took (``DATA/tickets/field_reports``).

One truck roll per charger at a time: a ticket for a charger that already has a technician on
the way rides on that visit (a dispatcher merges them), so two tickets about the same fault
never cost two rolls. What the technician does on site is ``ingest.sim.technician``.

Every number is in ``ingest.sim.field_contract.FieldService``, justified in
docs/simulator-calibration.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.data_folder import DataFolder
from ingest.sim.agent import ChargerAgent, stable_seed
from ingest.sim.context import SimContext
from ingest.sim.field_contract import FieldService
from ingest.sim.timeline import Sleeper

log = logging.getLogger(__name__)


@dataclass
class Visit:
    """One truck roll: the tickets it answers, when it was asked for and when it arrives."""

    charge_point_id: str
    tickets: list[str]
    requested_at: float
    arrives_at: float
    repair_s: float
    cost_usd: float
    events: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # per ticket


class FieldServiceAgent:
    """Polls the outbox every ``poll_s`` simulated seconds; schedules visits on the chargers."""

    def __init__(self, service: FieldService, ctx: SimContext,
                 chargers: dict[str, ChargerAgent]) -> None:
        self.service, self.ctx, self.chargers = service, ctx, chargers
        folder = DataFolder(ctx.settings.data_dir)
        self.outbox, self.reports = folder.tickets_outbox, folder.field_reports
        self.rng = np.random.default_rng(stable_seed(ctx.settings.seed, "field_service"))
        self.sleeper = Sleeper("field-service", priority=2)  # after the chargers of a tick
        self.seen: set[str] = set()
        self.coming: dict[str, Visit] = {}  # charger -> the visit on its way

    async def run(self) -> None:
        tl, end = self.ctx.timeline, self.ctx.settings.end
        try:
            t = self.ctx.settings.start + self.service.poll_s
            while t < end:
                await tl.sleep_until(self.sleeper, t)
                self.poll()
                t = tl.now + self.service.poll_s
        finally:
            tl.leave()

    def poll(self) -> None:
        if not self.outbox.is_dir():
            return
        for path in sorted(self.outbox.glob("*.json")):
            if path.stem in self.seen:
                continue
            self.seen.add(path.stem)
            ticket = _ticket(path)
            if ticket is not None:
                self.take(str(ticket["ticket_id"]), str(ticket["charge_point_id"]))

    def take(self, ticket_id: str, cp_id: str) -> None:
        agent = self.chargers.get(cp_id)
        if agent is None:
            log.warning("field service: ticket %s names unknown charger %s", ticket_id, cp_id)
            return
        now = self.ctx.timeline.now
        visit = self.coming.get(cp_id)
        if visit is None:
            visit = Visit(cp_id, [], now, now + self.service.response_s(self.rng),
                          self.service.repair_s(self.rng), self.service.cost_per_roll_usd)
            self.coming[cp_id] = visit
            agent.push(visit.arrives_at, "technician_arrives", (self, visit))
        visit.tickets.append(ticket_id)
        visit.events[ticket_id] = [("dispatched", now)]
        self.report(visit, ticket_id)

    def arrived(self, visit: Visit) -> None:
        """The visit is on site: later tickets for the charger need a new roll."""
        if self.coming.get(visit.charge_point_id) is visit:
            del self.coming[visit.charge_point_id]
        for ticket_id in visit.tickets:
            visit.events[ticket_id].append(("on_site", visit.arrives_at))
            self.report(visit, ticket_id)

    def closed(self, visit: Visit, outcome: str, at: float, cause: str | None) -> None:
        for ticket_id in visit.tickets:
            visit.events[ticket_id].append((outcome, at))
            self.report(visit, ticket_id, cause)

    def report(self, visit: Visit, ticket_id: str, cause: str | None = None) -> None:
        """The ticket's report so far, replaced whole (atomic rename) at every step."""
        self.reports.mkdir(parents=True, exist_ok=True)
        doc = {"format": 1, "ticket_id": ticket_id, "charge_point_id": visit.charge_point_id,
               "events": [{"state": s, "at": at} for s, at in visit.events[ticket_id]],
               "resolved_cause": cause, "cost_usd": visit.cost_usd}
        target = self.reports / f"{ticket_id}.json"
        tmp = self.reports / f".{ticket_id}.json.tmp"
        tmp.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
        tmp.replace(target)


def _ticket(path: Path) -> dict[str, object] | None:
    """The ticket of an outbox file, or None (logged) if it is not one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        ticket = doc["ticket"]
        if doc.get("kind") != "maintenance_ticket" or not ticket.get("charge_point_id"):
            raise KeyError("kind")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("field service: %s is not a maintenance ticket (%s)", path.name, exc)
        return None
    return dict(ticket)
