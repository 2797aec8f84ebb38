"""``cpo demo`` command-line wrapper."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ingest.data_folder import DataFolder
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
    days: Annotated[
        float, typer.Option(help="Simulated days of history before the live phase.",
                            min=0.05, max=730)
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = 7,
    faults: Annotated[
        float, typer.Option(help="Fault rate, x the rate fitted to a real county network's "
                            "report (default: a bad year, so self-healing has work).",
                            min=0.0, max=100.0)
    ] = 6.0,
    live_minutes: Annotated[
        float | None,
        typer.Option(help="Wall minutes of the live phase (default: until Ctrl-C when "
                     "serving, 1 with --no-serve).", min=0.0, max=24 * 60.0),
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Live phase: simulated seconds per wall second.",
                            min=1.0, max=3600.0)
    ] = 60.0,
    refresh_min: Annotated[
        float, typer.Option(help="Live phase: simulated minutes between warehouse refreshes.",
                            min=1.0, max=24 * 60.0)
    ] = 30.0,
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
            help="Serve the dashboard, wired to the CSMS API, from the end of the history "
            "until Ctrl-C (default).",
        ),
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8501,
) -> None:
    """Run the whole product end to end on embedded default data, then live, serving the
    dashboard."""
    if chargers < sites:
        raise fail(f"--chargers {chargers} is fewer than --sites {sites}; every site needs one")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    from workbench.runs.demo import DemoOptions
    from workbench.runs.demo import demo as run  # heavy imports only when used

    if live_minutes is None and not serve:
        live_minutes = 1.0
    opts = DemoOptions(data_dir, sites, chargers, days, seed, faults, live_minutes, speed,
                       refresh_min, reuse)
    dashboard = run(opts, typer.echo, _dashboard(port) if serve else None)
    if dashboard is not None:
        from workbench.commands.dashboard import url, wait_or_stop

        typer.echo(f"dashboard: {url('127.0.0.1', port)} still serving {data_dir}; "
                   "Ctrl-C stops it")
        wait_or_stop(dashboard)


def _dashboard(port: int) -> Callable[[Path, str, str], subprocess.Popen[bytes]]:
    def start(data_dir: Path, api_url: str, api_token: str) -> subprocess.Popen[bytes]:
        from workbench.commands.dashboard import serve, url

        process = serve(data_dir, port=port, headless=True, api_url=api_url,
                        log_file=DataFolder(data_dir).logs / "dashboard.log",
                        api_token=api_token)
        typer.echo(f"  dashboard: {url('127.0.0.1', port)} (live state and commands through "
                   f"{api_url})")
        return process

    return start
