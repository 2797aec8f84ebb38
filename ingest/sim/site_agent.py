"""A site's drivers: they arrive (a Poisson process shaped by hour of week and the site's
popularity), pick a free port of the type they want, or leave when none is free."""

from __future__ import annotations

import numpy as np

from ingest.sim.agent import ChargerAgent, stable_seed
from ingest.sim.context import SimContext
from ingest.sim.demand import DC_TURNOVER, arrivals, draw_visit
from ingest.sim.network import Site
from ingest.sim.timeline import Sleeper


class SiteAgent:
    def __init__(self, site: Site, chargers: list[ChargerAgent], ctx: SimContext,
                 rates: np.ndarray) -> None:
        self.site, self.chargers, self.ctx = site, chargers, ctx
        self.rng = np.random.default_rng(stable_seed(ctx.settings.seed, "site", site.id))
        self.sleeper = Sleeper(site.id, priority=0)
        self.plan = self._arrivals(rates)

    def _arrivals(self, rates: np.ndarray) -> list[tuple[float, str]]:
        s = self.ctx.settings
        popularity = self.site.popularity * s.demand_scale
        out: list[tuple[float, str]] = []
        for kind, turnover in (("AC", 1.0), ("DC", DC_TURNOVER)):
            ports = sum(c.spec.connectors for c in self.chargers if c.spec.kind == kind)
            if ports:
                times = arrivals(self.rng, rates, s.start, ports * turnover, popularity)
                out += [(float(t), kind) for t in times if t < s.end]
        return sorted(out)

    async def run(self) -> None:
        tl, tags = self.ctx.timeline, self.ctx.tags
        try:
            for at, kind in self.plan:
                await tl.sleep_until(self.sleeper, at)
                tag = tags[int(self.rng.integers(len(tags)))]
                visit = draw_visit(self.rng, self.ctx.profile.demand, at, kind, tag)
                free = [(a, c) for a in self.chargers if a.spec.kind == kind
                        for c in a.free_connectors()]
                if not free:
                    self.ctx.stats.turned_away += 1
                    self.ctx.truth.add_turned_away(self.site.id, kind, at)
                    continue
                agent, connector = free[int(self.rng.integers(len(free)))]
                agent.ports[connector].reserved = True
                agent.push(at, "visit", (visit, connector))
        finally:
            tl.leave()
