"""What a technician does on site (a truck roll of ``ingest.sim.field_service``), and the truth
it leaves: one ``truck_roll`` row per visit, whose ``ended_by`` is its effect.

- **repaired**: a fault is on (any type: a technician can restart what a reset would have
  cured too). It ends when the repair does (``ended_by = field_service``), not when it would
  have (``detail.would_end``): the outage is shortened by the difference.
- **averted**: no fault is on, but a fault's precursor window is running (wear the
  technician can see: a hot power module, a failing insulation test). The part is replaced
  during the visit, the fault never comes (truth ``averted``, ``ended_by = technician``). The
  ports are out of service while the technician works, which is an outage too.
- **wasted**: nothing on, nothing coming (a near miss, a false alarm, or a fault that cleared
  before the van arrived). The technician diagnoses and leaves; the ports stay up.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from ingest.sim import behaviour
from ingest.sim.agent import ChargerAgent
from ingest.sim.faults import Fault
from ingest.sim.field_service import FieldServiceAgent, Visit

WAIT_FOR_SESSION_S = 900.0  # the technician lets a driver finish before the restart
Handler = Callable[[ChargerAgent, float, Any], Awaitable[None]]


def coming_fault(a: ChargerAgent, t: float) -> list[Fault]:
    """Faults whose precursor window runs at ``t`` and that are still to come."""
    return [f for f in a.faults if not f.near_miss and id(f) not in a.averted
            and f.precursor_start <= t < f.start]


def in_near_miss(a: ChargerAgent, t: float) -> bool:
    return any(f.near_miss and f.precursor_start <= t < f.start for f in a.faults)


async def technician_arrives(a: ChargerAgent, at: float,
                             arg: tuple[FieldServiceAgent, Visit]) -> None:
    service, visit = arg
    service.arrived(visit)
    f = a.active
    coming = coming_fault(a, a.now)
    if f is not None:
        effect, found = "repaired", f
    elif coming:
        effect, found = "averted", coming[0]
        for g in coming:  # whatever wears out on this charger is fixed on the same visit
            a.averted.add(id(g))
            a.truth("averted", connector_id=g.connector if g.type.connector else None,
                    fault_type=g.type.name, curable=g.type.curable,
                    precursor_start=g.precursor_start, start=g.start, end=a.now,
                    ended_by="technician")
        await _out_of_service(a)
    else:
        detail = "near_miss" if in_near_miss(a, a.now) else "nothing_found"
        done = a.now + service.service.diagnose_h * 3600.0
        _roll_truth(a, visit, "wasted", None, done, detail)
        service.closed(visit, "false_alarm", done, None)
        return
    a.push(a.now + visit.repair_s, "technician_done", (service, visit, effect, found))


async def technician_done(a: ChargerAgent, at: float,
                          arg: tuple[FieldServiceAgent, Visit, str, Fault]) -> None:
    service, visit, effect, found = arg
    if any(p.session is not None for p in a.ports.values()):
        a.push(a.now + WAIT_FOR_SESSION_S, "technician_done", arg)
        return
    if a.active is found:
        a.end_fault("field_service")
    for port in a.ports.values():
        port.operative, port.pending_inoperative = True, False
    _roll_truth(a, visit, effect, found, a.now, effect)
    service.closed(visit, "resolved", a.now, found.type.onset_code)
    await behaviour.reboot(a, at, "technician")


async def _out_of_service(a: ChargerAgent) -> None:
    """The ports go Unavailable while the technician works (a busy one once its driver left)."""
    for port in a.ports.values():
        if port.session is not None:
            port.pending_inoperative = True
            continue
        port.operative = False
        await behaviour.report(a, port)


def _roll_truth(a: ChargerAgent, visit: Visit, effect: str, f: Fault | None, end: float,
                note: str) -> None:
    detail = {"tickets": visit.tickets, "requested_at": visit.requested_at,
              "cost_usd": visit.cost_usd, "note": note}
    if f is not None:
        detail |= {"onset": f.start, "would_end": f.end}
    a.truth("truck_roll", fault_type=None if f is None else f.type.name,
            curable=None if f is None else f.type.curable,
            precursor_start=None if f is None else f.precursor_start,
            start=visit.arrives_at, end=end, ended_by=effect,
            detail=json.dumps(detail, sort_keys=True))


HANDLERS: dict[str, Handler] = {
    "technician_arrives": technician_arrives, "technician_done": technician_done,
}
