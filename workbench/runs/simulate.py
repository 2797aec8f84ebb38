"""The steps of ``cpo simulate``: shape the network, register it, start a CSMS on the simulated
clock (or use a running one), run the fleet, flush the lake."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.errors import IngestError
from ingest.sim.context import SimSettings
from ingest.sim.faults import Fault
from ingest.sim.network import Network, build_network
from ingest.sim.profile import SimProfile
from ingest.sim.runner import SimRun, run_fleet
from ingest.sim.tags import build_tags
from workbench.runs.sim_csms import SimCsms

Say = Callable[[str], None]
# Called at each simulated time step, after the CSMS clock moved and before the fleet acts:
# where the demo (and tests) send commands as an operator would at that moment.
During = Callable[[float, SimCsms], Awaitable[None]]


@dataclass(frozen=True)
class SimulateJob:
    settings: SimSettings
    profile: SimProfile
    csms_url: str | None = None  # None: start an in-process CSMS on the simulated clock
    node_id: str = "sim"
    api: bool = False  # serve the CSMS's command API too
    during: During | None = None
    faults: Mapping[str, list[Fault]] | None = None  # replaces drawn faults (tests)


def network_of(s: SimSettings) -> Network:
    return build_network(s.seed, s.sites, s.chargers, s.dc_share, s.v201_share)


async def simulate(job: SimulateJob, say: Say) -> SimRun:
    s = job.settings
    network = network_of(s)
    tags = build_tags(s.seed, s.drivers_per_charger * s.chargers)
    from workbench.runs.sim_registry import passwords, register_network

    secrets = passwords(network, s.seed)
    s.data_dir.mkdir(parents=True, exist_ok=True)
    with Registry(DataFolder(s.data_dir).registry_file) as registry:
        register_network(registry, network, tags, secrets, s.heartbeat_s, s.start)
    n16 = sum(c.ocpp == "1.6" for c in network.chargers)
    say(
        f"network: {len(network.sites)} sites, {len(network.chargers)} chargers "
        f"({n16} OCPP 1.6J, {len(network.chargers) - n16} OCPP 2.0.1), "
        f"{sum(c.connectors for c in network.chargers)} connectors, {len(tags):,} driver tags"
    )
    if job.csms_url is not None:
        await _reachable(job.csms_url)
        say(f"fleet connects to {job.csms_url}; that CSMS keeps its own clock")
        return await run_fleet(
            s, job.profile, network, tags, secrets, job.csms_url, _own_clock, say
        )
    csms = SimCsms(s.data_dir, job.node_id, s.start, api=job.api)
    await csms.start()
    say(f"CSMS node {job.node_id} on {csms.url}, its clock following the simulation")
    during = job.during

    async def follow(t: float, linked: set[str]) -> None:
        await csms.follow(t, linked)
        if during is not None:
            await during(t, csms)

    try:
        return await run_fleet(
            s, job.profile, network, tags, secrets, csms.url, follow, say, faults=job.faults
        )
    finally:
        await csms.stop()


async def _reachable(url: str) -> None:
    """Fail early and clearly rather than simulate a month of chargers that never connect."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, port), 5.0)
    except (OSError, TimeoutError) as exc:
        raise IngestError(
            f"cannot reach the CSMS at {url} ({exc}); start one with "
            "cpo csms, or leave out --csms-url to run one here"
        ) from None
    writer.close()


async def _own_clock(t: float, linked: set[str]) -> None:
    """An external CSMS: nothing to drive."""


def load_profile(path: Path | None) -> SimProfile:
    from ingest.sim.profile import load_default

    if path is None:
        return load_default()
    try:
        return SimProfile.from_json(path.read_text())
    except ValueError as exc:
        raise IngestError(f"{path}: not a simulation profile: {exc}") from None


def run_simulation(job: SimulateJob, say: Say) -> SimRun:
    from workbench.runs.replay import run_async

    run = run_async(simulate(job, say))
    say(f"ground truth (for evaluation only): {run.truth_path}")
    say(
        f"{run.calls:,} OCPP calls in {run.wall_s:,.1f} s ({run.calls_per_s:,.0f} calls/s), "
        f"{job.settings.days / (run.wall_s / 60.0):,.1f} simulated days per minute"
    )
    return run
