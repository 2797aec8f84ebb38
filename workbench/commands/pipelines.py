"""``cpo pipelines run|ui``: materialise the Dagster assets, or open the Dagster UI."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from typing import Annotated

import typer

from pipelines.warehouse.layout import Layout
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir, LakeUrl, use_lake_url

pipelines_app = typer.Typer(
    help="KPI pipelines (Dagster assets over the lake, into a DuckDB warehouse).",
    no_args_is_help=True,
)
FromDay = Annotated[
    str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="First lake day to re-stage.")
]
ToDay = Annotated[
    str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Last lake day to re-stage.")
]
# Text, parsed by the runner: a bad value then gets the same one-line error as a bad range.
Workers = Annotated[
    str,
    typer.Option(
        "--workers",
        metavar="N",
        help="Stage the days in N ranges at once, one process and Dagster run each "
        "(1 to 4 per CPU).",
    ),
]


@pipelines_app.command("run")
@friendly
def run(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    first: FromDay = None,
    last: ToDay = None,
    workers: Workers = "1",
    lake_url: LakeUrl = None,
) -> None:
    """Rebuild staging for --from..--to (default: every day in the lake), then every mart.

    --from / --to select the lake days (UTC) to re-stage; the marts are always rebuilt whole.
    --workers N splits the days into N ranges staged in parallel, then builds the marts once.
    """
    from pipelines.launch import parse_workers
    from pipelines.launch import run as run_pipelines

    use_lake_url(lake_url)
    count = parse_workers(workers)
    started = time.monotonic()
    typer.echo(f"pipelines on {data_dir}:")
    summary = run_pipelines(data_dir, first, last, progress=typer.echo, workers=count)
    seconds = time.monotonic() - started
    layout = Layout(data_dir.resolve())
    typer.echo(
        f"built days {summary.first_day}..{summary.last_day}: {summary.steps_ok} steps, "
        f"{summary.checks_run} checks in {seconds:.1f} s; warehouse {layout.db_file}, "
        f"marts {layout.marts}"
    )
    if summary.steps_failed:
        raise fail(f"{len(summary.steps_failed)} step(s) failed: {', '.join(summary.steps_failed)}")
    if summary.checks_failed:
        raise fail(f"checks failed: {', '.join(summary.checks_failed)} (see `cpo pipelines ui`)")


@pipelines_app.command("refresh")
@friendly
def refresh(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    first: FromDay = None,
    last: ToDay = None,
    stdin: Annotated[
        bool,
        typer.Option(
            "--stdin",
            help="Stay resident: refresh once per line read on stdin (`FROM [TO]`, or empty for "
            "the default days), one result line each, until end of input.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Each result as one JSON object per line.")
    ] = False,
    lake_url: LakeUrl = None,
) -> None:
    """Refresh the warehouse in this process: re-stage the days of --from..--to whose lake files
    changed (default: the lake's last two days), then every mart and the predictions.

    The live path (the demo's live phase): no Dagster run per refresh, each table recorded on
    the data folder's Dagster instance afterwards. `cpo pipelines run` stays the full build.
    """
    from pipelines import day_chunks
    from pipelines.errors import PipelineError
    from pipelines.launch.refresh import Refresher
    from pipelines.launch.run import day_range

    use_lake_url(lake_url)
    refresher = Refresher(data_dir)
    try:
        requests = sys.stdin if stdin else [f"{first or ''} {last or ''}"]
        for request in requests:
            words: list[str | None] = [*request.split(), None, None]
            asked_first, asked_last = words[:2] if words[0] else (first, last)
            try:
                day_first, day_last = day_range(refresher.layout, asked_first, asked_last)
            except PipelineError as exc:
                if not stdin:
                    raise
                typer.echo(json.dumps({"ok": False, "line": str(exc)}) if as_json
                           else f"refresh FAILED: {exc}")
                continue
            if asked_first is None:  # the default: the last two days the lake holds
                day_first = max(day_first, day_chunks.shift(day_last, -1))
            done = refresher.refresh(day_first, day_last)
            typer.echo(done.as_json() if as_json else done.line())
            sys.stdout.flush()
            if not done.ok and not stdin:
                raise fail(done.line())
    finally:
        refresher.close()


@pipelines_app.command("ui")
@friendly
def ui(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    host: Annotated[str, typer.Option(help="Address of the Dagster UI.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    lake_url: LakeUrl = None,
) -> None:
    """Open the Dagster UI (and its daemon: schedules, sensors) on this data folder."""
    from pipelines.launch import prepare_home

    use_lake_url(lake_url)

    home = prepare_home(Layout(data_dir.resolve()))
    typer.echo(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME {home}); Ctrl-C stops it")
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipelines.definitions",
        "--host",
        host,
        "--port",
        str(port),
    ]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, env=dict(os.environ), check=False)
