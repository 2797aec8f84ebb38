"""``cpo demo`` command-line wrapper."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.errors import fail, friendly


@friendly
def demo(
    data_dir: Annotated[
        Path,
        typer.Option(
            help="Where the demo writes; its contents are replaced on each run (only a folder "
            "the demo wrote, or an empty one)."
        ),
    ] = Path("demo-data"),
    sites: Annotated[int, typer.Option(help="Sites in the simulated network.", min=1, max=100)] = 8,
    chargers: Annotated[int, typer.Option(help="Simulated chargers.", min=1, max=1000)] = 60,
    days: Annotated[float, typer.Option(help="Simulated days.", min=0.05, max=730)] = 60.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = 7,
    reuse: Annotated[
        bool,
        typer.Option(
            "--reuse/--replace",
            help="Reuse a finished demo with the same options in --data-dir "
            "instead of simulating again (default: replace it).",
        ),
    ] = False,
) -> None:
    """Run the whole product end to end on embedded default data."""
    if chargers < sites:
        raise fail(f"--chargers {chargers} is fewer than --sites {sites}; every site needs one")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    from workbench.demo import DemoOptions
    from workbench.demo import demo as run  # heavy imports only when used

    run(DemoOptions(data_dir, sites, chargers, days, seed, reuse), typer.echo)
