"""`cpo exclusions ...`: the exclusion windows NEVI uptime leaves out (23 CFR 680.116(b)).

They live in ``<data-dir>/config/exclusion_windows.csv``; the next pipelines run loads them.
Bad input prints one ``error: ...`` line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated

import typer

from pipelines import exclusions
from pipelines.errors import PipelineError
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

exclusions_app = typer.Typer(
    help="Exclusion windows: outage time outside the operator's control, left out of NEVI uptime.",
    no_args_is_help=True,
)


def _time(text: str, option: str) -> datetime:
    try:
        return exclusions.parse_time(text)
    except ValueError:
        raise fail(
            f"{option} {text!r} is not a time; use ISO 8601 like 2026-01-10T08:00Z"
        ) from None


@exclusions_app.command("add")
@friendly
def add(
    scope: Annotated[
        str, typer.Option("--scope", help=f"What it covers: {', '.join(exclusions.SCOPES)}.")
    ],
    start: Annotated[str, typer.Option("--from", help="Start, UTC ISO 8601 (2026-01-10T08:00Z).")],
    end: Annotated[str, typer.Option("--to", help="End, UTC ISO 8601 (after --from).")],
    cause: Annotated[str, typer.Option("--cause", help=f"One of {', '.join(exclusions.CAUSES)}.")],
    target: Annotated[
        str,
        typer.Option(
            "--target", help="Site id, charge point id or port id (<cp>/<n>); none for network."
        ),
    ] = "",
    note: Annotated[str, typer.Option("--note", help="Free text, e.g. a ticket number.")] = "",
    added_by: Annotated[
        str | None, typer.Option("--by", help="Who adds it (default: your user name).")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add an exclusion window and print its id."""
    window = exclusions.ExclusionWindow(
        window_id="",
        scope=scope.strip().lower(),
        target=target.strip(),
        start_at=_time(start, "--from"),
        end_at=_time(end, "--to"),
        cause=cause.strip().lower(),
        note=note,
        added_by=added_by if added_by is not None else _user(),
    )
    try:
        exclusions.check(window)
    except PipelineError as exc:
        option = {"end_at": "--to", "target": "--target", "scope": "--scope", "cause": "--cause"}
        message = str(exc)
        field = message.split(":", 1)[0]
        raise fail(f"{option.get(field, field)}{message[len(field) :]}") from None
    saved = exclusions.add(exclusions.csv_path(data_dir), window)
    typer.echo(saved.window_id)


@exclusions_app.command("list")
@friendly
def list_windows(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the CSV rows instead.")] = False,
) -> None:
    """List the exclusion windows."""
    windows = exclusions.load(exclusions.csv_path(data_dir))
    if as_csv:
        typer.echo(",".join(exclusions.COLUMNS))
        for w in windows:
            typer.echo(",".join(_csv_cell(v) for v in w.row().values()))
        return
    if not windows:
        typer.echo("no exclusion windows (add one with `cpo exclusions add`)")
        return
    columns = ("window_id", "scope", "target", "start_at", "end_at", "cause", "note")
    rows = [[w.row()[c] for c in columns] for w in windows]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@exclusions_app.command("remove")
@friendly
def remove(
    window_id: Annotated[str, typer.Argument(metavar="ID", help="The window's id (see list).")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove an exclusion window."""
    removed = exclusions.remove(exclusions.csv_path(data_dir), window_id)
    typer.echo(f"removed {removed.window_id}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value
