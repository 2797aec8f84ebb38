"""``cpo demo`` command-line wrapper."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.errors import fail, friendly


@friendly
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo writes (wiped first).")] = Path(
        "demo-data"),
    chargers: Annotated[int, typer.Option(help="Simulated chargers.", min=1, max=500)] = 6,
    sessions: Annotated[int, typer.Option(help="Sessions per charger.", min=0)] = 3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    keep: Annotated[bool, typer.Option(help="Keep existing data in --data-dir.")] = False,
) -> None:
    """Run the whole product end to end on embedded default data."""
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    from workbench.demo import demo as run  # heavy imports (duckdb) only when used

    run(data_dir, chargers, sessions, seed, keep, typer.echo)
