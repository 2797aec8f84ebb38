"""``cpo simulate``: a simulated fleet with realistic demand and faults, over real WebSockets
through a real CSMS, in simulated time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir


@friendly
def simulate(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    sites: Annotated[int, typer.Option(help="Sites in the network.", min=1, max=500)] = 8,
    chargers: Annotated[
        int, typer.Option(help="Chargers, spread over the sites.", min=1, max=5000)
    ] = 60,
    days: Annotated[float, typer.Option(help="Simulated days.", min=0.01, max=3660)] = 60.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same lake.")] = 1,
    start: Annotated[
        str, typer.Option(help="First simulated day (UTC), YYYY-MM-DD.")
    ] = "2026-01-01",
    csms_url: Annotated[
        str | None,
        typer.Option(
            help="WebSocket URL (up to the charger id) of a running CSMS, e.g. "
            "ws://127.0.0.1:9000/ocpp; --data-dir must then be that CSMS's folder (its "
            "registry). Default: start a CSMS here whose clock follows the simulation. A "
            "running CSMS keeps its own clock, so its timestamps are wall time."
        ),
    ] = None,
    meter_interval: Annotated[
        float, typer.Option(help="Minutes between MeterValues during a session.", min=0.5)
    ] = 15.0,
    heartbeat: Annotated[
        int,
        typer.Option(help="Heartbeat interval registered for each charger, in seconds.", min=30),
    ] = 900,
    tick: Annotated[
        float,
        typer.Option(
            help="Simulated seconds per time step; events within one step run concurrently.",
            min=0.1,
            max=600,
        ),
    ] = 30.0,
    demand: Annotated[
        float, typer.Option(help="Demand multiplier over the level fitted from real data.", min=0.0)
    ] = 1.0,
    faults: Annotated[
        float,
        typer.Option(
            help="Fault-rate multiplier over the rate fitted from a real network's report "
            "(raise it to get enough faults to train models on).",
            min=0.0,
        ),
    ] = 1.0,
    precursor_window_h: Annotated[
        float,
        typer.Option(
            help="Median hours a long fault shows precursors before it (lognormal).",
            min=1.0,
            max=240.0,
        ),
    ] = 30.0,
    near_miss_share: Annotated[
        float,
        typer.Option(
            help="Share of long faults preceded, days earlier, by a window of the same signals "
            "that ends with no fault.",
            min=0.0,
            max=1.0,
        ),
    ] = 0.25,
    precursor_ramp: Annotated[
        float,
        typer.Option(
            help="How the signals grow over the window: intensity = phase ** RAMP "
            "(2: accelerating, as wear does; 1: linear; below 1: early).",
            min=0.25,
            max=4.0,
        ),
    ] = 2.0,
    profile: Annotated[
        Path | None,
        typer.Option(
            help="A simulation profile JSON (python -m ingest.sim.fit_profile writes one); "
            "default: the one fitted to the real data shipped with the workbench.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Simulate a charging network through a CSMS into --data-dir's lake."""
    if chargers < sites:
        raise fail(f"--chargers {chargers} is fewer than --sites {sites}; every site needs one")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    if csms_url is not None and not csms_url.startswith(("ws://", "wss://")):
        raise fail(f"--csms-url must start with ws:// or wss://, got {csms_url!r}")
    first = _day(start)
    from ingest.sim.context import SimSettings
    from ingest.sim.faults import Precursors
    from workbench.runs.simulate import SimulateJob, load_profile, run_simulation

    settings = SimSettings(
        data_dir=data_dir,
        sites=sites,
        chargers=chargers,
        days=days,
        seed=seed,
        start=first,
        meter_interval_s=meter_interval * 60.0,
        heartbeat_s=heartbeat,
        tick_s=tick,
        demand_scale=demand,
        fault_scale=faults,
        precursors=Precursors(precursor_window_h, near_miss_share, precursor_ramp),
    )
    run_simulation(SimulateJob(settings, load_profile(profile), csms_url), typer.echo)


def _day(text: str) -> float:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise fail(f"--start must be a date like 2026-01-01, got {text!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
