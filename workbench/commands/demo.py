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
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="End by serving the dashboard on the demo's data until Ctrl-C (default).",
        ),
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8501,
) -> None:
    """Run the whole product end to end on embedded default data, then serve the dashboard."""
    if chargers < sites:
        raise fail(f"--chargers {chargers} is fewer than --sites {sites}; every site needs one")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    from workbench.runs.demo import DemoOptions
    from workbench.runs.demo import demo as run  # heavy imports only when used

    run(DemoOptions(data_dir, sites, chargers, days, seed, reuse), typer.echo)
    if serve:
        _serve_dashboard(data_dir, port)


def _serve_dashboard(data_dir: Path, port: int) -> None:
    from workbench.commands.dashboard import serve, url, wait_or_stop

    process = serve(data_dir, port=port, headless=True)
    typer.echo(f"dashboard: {url('127.0.0.1', port)} (serving {data_dir}; Ctrl-C stops it)")
    wait_or_stop(process)
