"""``cpo models build-default``: the shipped default fault model, rebuilt from a simulated
network by one command (the options' defaults are the shipped model's; its card records them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from workbench.errors import friendly

WORK = Path(tempfile.gettempdir()) / "cpo-build-default"
_D = "the shipped model's"  # help text: every default below is the shipped model's option


@friendly
def build_default(
    work: Annotated[
        Path,
        typer.Option(
            help="Scratch folder: the simulated lake and warehouse (kept after).", file_okay=False
        ),
    ] = WORK,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the model; default: the package's models/fault/default/.",
            file_okay=False,
        ),
    ] = None,
    sites: Annotated[int, typer.Option(help=f"Sites ({_D}).", min=1)] = 12,
    chargers: Annotated[int, typer.Option(help=f"Chargers ({_D}).", min=1)] = 100,
    days: Annotated[float, typer.Option(help=f"Simulated days ({_D}).", min=1)] = 60.0,
    seed: Annotated[int, typer.Option(help=f"Simulation seed ({_D}).")] = 7,
    faults: Annotated[float, typer.Option(help=f"Fault-rate multiplier ({_D}).", min=0.0)] = 30.0,
    horizon: Annotated[int, typer.Option(help="Label horizon H in hours: 6, 24 or 48.")] = 24,
    budget: Annotated[float, typer.Option(help="Alerts a day per 100 chargers.")] = 2.0,
) -> None:
    """Simulate a large network, build it, train, and write the shipped default fault model."""
    from models.fault import store
    from workbench.runs.build_default import DefaultBuild
    from workbench.runs.build_default import build_default as run

    build = DefaultBuild(sites, chargers, days, seed, faults, horizon, budget)
    run(build, work, out or store.DEFAULT_DIR, typer.echo)
