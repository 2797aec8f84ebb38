"""The optimiser: a linear programme over the coming periods that minimises time-of-use energy
cost plus the demand charge, subject to every circuit limit in every period, each car's power
cap, and delivering each session's remaining energy by its departure.

Variables: ``r[i, t]`` kW for session ``i`` in period ``t`` (only periods before its departure),
``u[i]`` kWh it will not get (best effort: priced far above any energy or demand cost, so it is
non-zero only when the energy cannot be delivered under the limits, and then reported), and
``P`` kW the month's peak, at least the peak already reached this month (``peak_floor_kw``: the
demand charge is paid on the month's maximum, so power up to it costs no demand charge).

    min   sum_t price[t] dt sum_i r[i,t]  +  demand_rate P  +  penalty sum_i u[i]
          + eps sum_t t r[i,t]                  (ties go to charging earlier)
    s.t.  sum_{i under c} r[i,t] <= limit[c] - base[t] [c is the root]    for every c, t
          sum_i r[i,t] + base[t] <= P                                       for every t
          dt sum_t r[i,t] + u[i] = remaining[i]                             for every i
          0 <= r[i,t] <= cap[i],  0 <= u[i],  P >= peak_floor

Solved with HiGHS through ``scipy.optimize.linprog``; the allocation applied now is period 0
(receding horizon: the loop re-solves on every session event and every few minutes).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from models.energy.errors import SolverError
from models.energy.sessions import OpenSession, incidence
from models.energy.site import Site

TIE_BREAK = 1e-6  # $/kWh per period later: among equal costs, charge sooner (robust to early
# departures); far below any tariff step


@dataclass(frozen=True)
class Plan:
    rates_kw: dict[str, float]  # period 0: what to install now
    schedule_kw: dict[str, list[float]]  # per session, every period up to its departure
    unmet_kwh: dict[str, float]  # energy the limits make undeliverable by departure
    peak_kw: float  # the planned month peak (>= the floor)
    solve_s: float


@dataclass(frozen=True)
class Horizon:
    step_h: float  # period length, hours
    prices: npt.NDArray[np.float64]  # $/kWh per period, as many as the horizon has
    demand_rate: float = 0.0  # $/kW of the month's peak
    peak_floor_kw: float = 0.0  # the month's peak so far
    base_kw: npt.NDArray[np.float64] | None = None  # building load at the root, per period

    @property
    def periods(self) -> int:
        return len(self.prices)


def periods_left(session: OpenSession, horizon: Horizon) -> int:
    """Whole periods before departure (at least 1: a car leaving now still gets this period);
    unknown departure: the whole horizon."""
    if session.departure_h is None:
        return horizon.periods
    whole = math.floor(session.departure_h / horizon.step_h + 1e-9)
    return max(1, min(horizon.periods, whole))


def optimise(site: Site, sessions: Sequence[OpenSession], horizon: Horizon) -> Plan:
    started = time.perf_counter()
    inc = incidence(site, sessions)
    n, periods, dt = len(sessions), horizon.periods, horizon.step_h
    base = np.zeros(periods) if horizon.base_kw is None else np.asarray(horizon.base_kw, float)
    left = np.array([periods_left(s, horizon) for s in sessions], dtype=int)
    need = np.array([max(0.0, s.remaining_kwh) for s in sessions])
    # One column per (session, period before its departure), session-major.
    sess_of = np.repeat(np.arange(n), left)
    offsets = np.concatenate(([0], np.cumsum(left)))
    per_of = np.arange(len(sess_of)) - offsets[sess_of]
    nr = len(sess_of)
    col_u, col_p = nr + np.arange(n), nr + n
    nvar = nr + n + 1

    cost = np.zeros(nvar)
    cost[:nr] = horizon.prices[per_of] * dt + TIE_BREAK * per_of * dt
    penalty = 10.0 * (horizon.demand_rate / dt + float(np.max(horizon.prices, initial=0.0))) + 10
    cost[col_u] = penalty
    cost[col_p] = horizon.demand_rate

    # Circuit limits: row (c, t) sums the session columns under c in period t.
    mat = inc.matrix.tocoo()
    circuit_rows, circuit_cols = [], []
    for c, i in zip(mat.row, mat.col, strict=True):
        cols = np.arange(offsets[i], offsets[i + 1])
        circuit_rows.append(c * periods + per_of[cols])
        circuit_cols.append(cols)
    n_circ = len(inc.circuit_ids)
    rows_c = np.concatenate(circuit_rows) if circuit_rows else np.zeros(0, int)
    cols_c = np.concatenate(circuit_cols) if circuit_cols else np.zeros(0, int)
    root = inc.circuit_ids.index(site.root.id)
    limits = np.repeat(inc.limits_kw, periods)
    limits[root * periods : (root + 1) * periods] -= base
    # Peak rows: sum_i r[i,t] - P <= -base[t].
    rows_p = n_circ * periods + per_of
    a_ub = sparse.csr_matrix(
        (
            np.concatenate([np.ones(len(rows_c)), np.ones(nr), -np.ones(periods)]),
            (
                np.concatenate([rows_c, rows_p, n_circ * periods + np.arange(periods)]),
                np.concatenate([cols_c, np.arange(nr), np.full(periods, col_p)]),
            ),
        ),
        shape=((n_circ + 1) * periods, nvar),
    )
    b_ub = np.concatenate([np.maximum(limits, 0.0), -base])
    a_eq = sparse.csr_matrix(
        (np.concatenate([np.full(nr, dt), np.ones(n)]),
         (np.concatenate([sess_of, np.arange(n)]), np.concatenate([np.arange(nr), col_u]))),
        shape=(n, nvar),
    )
    lower = np.zeros(nvar)
    upper = np.concatenate([inc.caps_kw[sess_of], need, [np.inf]])
    lower[col_p] = max(horizon.peak_floor_kw, float(np.max(base, initial=0.0)))
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=need,
                     bounds=np.column_stack([lower, upper]), method="highs")
    if result.status != 0 or result.x is None:
        raise SolverError(f"HiGHS found no allocation: {result.message}")
    x = np.maximum(result.x, 0.0)
    schedule = {s.id: x[offsets[i]:offsets[i + 1]].tolist() for i, s in enumerate(sessions)}
    return Plan(
        rates_kw={s.id: schedule[s.id][0] for s in sessions},
        schedule_kw=schedule,
        unmet_kwh={s.id: float(x[col_u[i]]) for i, s in enumerate(sessions)},
        peak_kw=float(x[col_p]),
        solve_s=time.perf_counter() - started,
    )
