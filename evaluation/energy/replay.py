"""A time-stepped replay of a site under one of our allocation algorithms.

Every step (5 minutes by default) the open sessions are the cars that have arrived, not left,
and still need energy; each draws the lower of its allocation, its charger's rating and what it
still needs (an ideal battery, as acnportal's default ``Battery``, so both sides see the same
cars).
``uncontrolled`` and ``equal_share`` decide every step. The optimiser plans in periods of one
step up to the last departure (at most 24 h), re-plans every step (so on every arrival and
departure) and applies the plan's first period; its demand-charge floor is the highest site
power of the month so far (instantaneous, so never below the 15-minute average that is billed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from evaluation.energy.workload import Workload
from models.energy.baselines import equal_share, uncontrolled
from models.energy.optimiser import Horizon, optimise
from models.energy.sessions import OpenSession
from models.energy.site import Site

PLAN_STEP_H = 5 / 60  # the replay step: departures fall on period boundaries
MAX_PLAN_H = 24.0


@dataclass
class ReplayResult:
    load_kw: npt.NDArray[np.float64]  # site power per step
    delivered_kwh: dict[str, float]
    requested_kwh: dict[str, float]
    max_circuit_excess_kw: float  # > 0: a limit was exceeded by that much at some step
    decisions: int = 0
    solve_s: list[float] = field(default_factory=list)


def _circuit_excess(site: Site, rates: dict[str, float], charger_of: dict[str, str]) -> float:
    loads = dict.fromkeys(site.circuits, 0.0)
    for sid, kw in rates.items():
        for cid in site.path(charger_of[sid]):
            loads[cid] += kw
    return max(loads[c] - site.circuits[c].limit_kw for c in loads)


def replay(site: Site, work: Workload, algorithm: str, price: npt.NDArray[np.float64],
           demand_rate: npt.NDArray[np.float64], car_kw: float,
           progress: Callable[[int, int], None] | None = None) -> ReplayResult:
    dt_h = work.step_min / 60
    left = {a.session_id: a.energy_kwh for a in work.arrivals}
    result = ReplayResult(np.zeros(work.steps), dict.fromkeys(left, 0.0), dict(left), 0.0)
    by_arrival: dict[int, list[int]] = {}
    for n, a in enumerate(work.arrivals):
        by_arrival.setdefault(a.arrival, []).append(n)
    open_: list[int] = []
    plan: dict[str, list[float]] = {}
    planned_at, month_peak = -10**9, 0.0
    per_plan = round(PLAN_STEP_H / dt_h)
    for k in range(work.steps):
        before = len(open_)
        open_ = [n for n in open_ if work.arrivals[n].departure > k]
        changed = len(open_) != before or k in by_arrival
        open_ += by_arrival.get(k, [])
        sessions = [
            OpenSession(a.session_id, a.station, left[a.session_id], car_kw,
                        (a.departure - k) * dt_h)
            for a in (work.arrivals[n] for n in open_) if left[a.session_id] > 1e-9
        ]
        if not sessions:
            continue
        if algorithm == "uncontrolled":
            rates = uncontrolled(site, sessions)
        elif algorithm == "equal_share":
            rates = equal_share(site, sessions)
        else:
            if changed or k - planned_at >= per_plan or any(s.id not in plan for s in sessions):
                plan = _plan(site, sessions, k, per_plan, price, demand_rate, month_peak, result)
                planned_at = k
            idx = (k - planned_at) // per_plan
            rates = {s.id: (plan[s.id][idx] if idx < len(plan[s.id]) else 0.0)
                     for s in sessions}
        drawn = {s.id: min(rates[s.id], s.max_kw, s.remaining_kwh / dt_h) for s in sessions}
        result.max_circuit_excess_kw = max(result.max_circuit_excess_kw,
                                           _circuit_excess(site, drawn, charger_of(sessions)))
        for sid, kw in drawn.items():
            left[sid] -= kw * dt_h
            result.delivered_kwh[sid] += kw * dt_h
        result.load_kw[k] = sum(drawn.values())
        month_peak = max(month_peak, result.load_kw[k])
        if progress is not None and k % 2000 == 0:
            progress(k, work.steps)
    return result


def charger_of(sessions: list[OpenSession]) -> dict[str, str]:
    return {s.id: s.charger_id for s in sessions}


def _plan(site: Site, sessions: list[OpenSession], k: int, per_plan: int,
          price: npt.NDArray[np.float64], demand_rate: npt.NDArray[np.float64],
          month_peak: float, result: ReplayResult) -> dict[str, list[float]]:
    last = max(s.departure_h or 0.0 for s in sessions)
    periods = max(1, int(min(last, MAX_PLAN_H) / PLAN_STEP_H + 0.999))
    at = np.minimum(k + np.arange(periods) * per_plan, len(price) - 1)
    started = time.perf_counter()
    planned = optimise(site, sessions, Horizon(PLAN_STEP_H, price[at], float(demand_rate[k]),
                                                month_peak))
    result.solve_s.append(time.perf_counter() - started)
    result.decisions += 1
    return planned.schedule_kw
