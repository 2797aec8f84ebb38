"""Run a simulated fleet against a CSMS: build the network's agents, play them in simulated time
and write the ground truth. The caller owns the CSMS and its clock: ``on_tick`` is awaited each
time simulated time moves, before any agent acts at that time."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ingest.data_folder import DataFolder
from ingest.sim.agent import ChargerAgent, stable_seed
from ingest.sim.clock import iso
from ingest.sim.context import SimContext, SimSettings, SimStats
from ingest.sim.demand import hourly_rates
from ingest.sim.faults import Fault, draw_faults
from ingest.sim.field_service import FieldServiceAgent
from ingest.sim.network import Network
from ingest.sim.profile import SimProfile
from ingest.sim.site_agent import SiteAgent
from ingest.sim.tags import Tag
from ingest.sim.timeline import Timeline

Say = Callable[[str], None]
FollowClock = Callable[[float, set[str]], Awaitable[None]]  # (time, chargers linked now)


@dataclass(frozen=True)
class SimRun:
    stats: SimStats
    calls: int
    wall_s: float
    truth_path: Path

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.wall_s if self.wall_s > 0 else 0.0


async def run_fleet(settings: SimSettings, profile: SimProfile, network: Network,
                    tags: tuple[Tag, ...], passwords: dict[str, str], url: str,
                    on_tick: FollowClock, say: Say, progress_every_s: float = 5.0,
                    faults: Mapping[str, list[Fault]] | None = None) -> SimRun:
    """``faults`` replaces the drawn fault schedule of the chargers it names (tests)."""
    timeline = Timeline(settings.start, settings.tick_s)
    ctx = SimContext(timeline, settings, profile, url, passwords, tags)
    given = faults or {}
    agents = [ChargerAgent(spec, ctx, given[spec.id] if spec.id in given else
                           _faults(settings, profile, spec.id, spec.connectors))
              for spec in network.chargers]
    rates = hourly_rates(profile.demand, settings.start, int(np.ceil(settings.days * 24)))
    sites = [SiteAgent(site, [a for a in agents if a.spec.site == site.id], ctx, rates)
             for site in network.sites]
    progress = _Progress(settings, ctx, agents, say, progress_every_s)
    runners: list[SiteAgent | ChargerAgent | FieldServiceAgent] = [*sites, *agents]
    if settings.field_service is not None:
        by_id = {a.spec.id: a for a in agents}
        runners.append(FieldServiceAgent(settings.field_service, ctx, by_id))

    async def tick(t: float) -> None:
        await on_tick(t, ctx.linked)
        progress.maybe(t)

    tasks = []
    for runner in runners:
        timeline.enter()
        tasks.append(asyncio.get_running_loop().create_task(runner.run()))
    started = time.perf_counter()
    try:
        await timeline.run(settings.end, tick)
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        # Stopped early (Ctrl-C in a live demo): the truth so far is still written.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        _write_outputs(settings, ctx, network)
        raise
    wall = time.perf_counter() - started
    truth = _write_outputs(settings, ctx, network)
    progress.done(wall)
    return SimRun(ctx.stats, progress.calls(), wall, truth)


def _write_outputs(settings: SimSettings, ctx: SimContext, network: Network) -> Path:
    folder = DataFolder(settings.data_dir)
    truth = ctx.truth.write(folder.sim_truth_file)
    folder.sim_network_file.write_text(network.to_json())
    # What the faults' precursors looked like: a model trained on this lake is only as good as
    # they allow, so its figures are read against them (docs/simulator.md).
    folder.sim_precursors_file.write_text(json.dumps(asdict(settings.precursors)))
    return truth


def _faults(settings: SimSettings, profile: SimProfile, cp_id: str,
            connectors: int) -> list[Fault]:
    rng = np.random.default_rng(stable_seed(settings.seed, "faults", cp_id))
    p = profile.faults
    scaled = replace(p, faults_per_charger_day=p.faults_per_charger_day * settings.fault_scale)
    return draw_faults(rng, scaled, settings.start, settings.end, connectors, settings.precursors)


class _Progress:
    """A line every few wall seconds: simulated date, sessions, faults, calls/s."""

    def __init__(self, settings: SimSettings, ctx: SimContext, agents: list[ChargerAgent],
                 say: Say, every_s: float) -> None:
        self.settings, self.ctx, self.agents, self.say = settings, ctx, agents, say
        self.every_s = every_s
        self.t0 = self.last = time.perf_counter()

    def calls(self) -> int:
        live = sum(a.station.cp.calls for a in self.agents if a.station is not None)
        return sum(a.calls for a in self.agents) + live

    def maybe(self, t: float) -> None:
        now = time.perf_counter()
        if self.every_s <= 0 or now - self.last < self.every_s:
            return
        self.last = now
        s, st = self.settings, self.ctx.stats
        day = (t - s.start) / 86400.0
        calls = self.calls()
        self.say(f"  day {day:5.1f}/{s.days:g} ({iso(t)[:16]}Z): {st.sessions:,} sessions, "
                 f"{st.kwh:,.0f} kWh, {st.faults} faults, {calls:,} calls, "
                 f"{calls / (now - self.t0):,.0f} calls/s")

    def done(self, wall: float) -> None:
        st = self.ctx.stats
        self.say(f"simulated {self.settings.days:g} days in {wall:,.1f} s: {st.sessions:,} "
                 f"sessions, {st.kwh:,.0f} kWh, {st.faults} faults, {st.turned_away:,} drivers "
                 f"turned away, {self.calls():,} calls")

