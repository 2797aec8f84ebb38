"""Solver time per allocation decision at a 1,000-charger site (`bench/bench_energy.py`).

A site of ``--chargers`` chargers (11 kW) on ``--feeders`` feeders (each limited to 40 % of its
chargers' sum) under a grid connection of 30 % of the chargers' sum, every charger with an open
session (5-60 kWh to go, departure in 1-12 h, seeded). One decision = one allocation of every
session. The optimiser plans a 24 h horizon of 15-minute periods under SCE-like TOU prices and a
demand charge; equal share is water-filling at the current instant. Medians of ``--repeats``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from models.energy.baselines import equal_share
from models.energy.optimiser import Horizon, optimise
from models.energy.sessions import OpenSession
from models.energy.site import Site, build_site

CHARGER_KW = 11.0


def site_and_sessions(chargers: int, feeders: int, seed: int) -> tuple[Site, list[OpenSession]]:
    rng = np.random.default_rng(seed)
    per = chargers // feeders
    site = build_site(
        "bench", 0.3 * chargers * CHARGER_KW,
        feeders={f"f{k}": (None, 0.4 * per * CHARGER_KW) for k in range(feeders)},
        chargers={f"c{i}": (f"f{i % feeders}", CHARGER_KW) for i in range(chargers)},
    )
    sessions = [
        OpenSession(f"s{i}", f"c{i}", float(rng.uniform(5, 60)), CHARGER_KW,
                    float(rng.uniform(1, 12)))
        for i in range(chargers)
    ]
    return site, sessions


def tou_horizon(step_h: float = 0.25, hours: int = 24) -> Horizon:
    hour = (np.arange(int(hours / step_h)) * step_h) % 24
    prices = np.where((hour >= 16) & (hour < 21), 0.45, np.where(hour < 8, 0.12, 0.2))
    return Horizon(step_h=step_h, prices=prices, demand_rate=15.0)


def timed(call: object, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=1000)
    parser.add_argument("--feeders", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    site, sessions = site_and_sessions(args.chargers, args.feeders, args.seed)
    horizon = tou_horizon()
    share = timed(lambda: equal_share(site, sessions), args.repeats)
    plans = []
    opt = timed(lambda: plans.append(optimise(site, sessions, horizon)), args.repeats)
    plan = plans[-1]
    unmet = sum(plan.unmet_kwh.values())
    need = sum(s.remaining_kwh for s in sessions)
    print(f"site: {args.chargers} chargers, {args.feeders} feeders, grid "
          f"{site.root.limit_kw:.0f} kW; horizon {horizon.periods} x 15 min")
    print(f"equal share : median {statistics.median(share) * 1e3:8.1f} ms per decision")
    print(f"optimiser   : median {statistics.median(opt) * 1e3:8.1f} ms per decision "
          f"(ratio {statistics.median(opt) / statistics.median(share):.0f}x equal share)")
    print(f"plan: peak {plan.peak_kw:.0f} kW, unmet {unmet:.0f} of {need:.0f} kWh requested")


if __name__ == "__main__":
    main()
