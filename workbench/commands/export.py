"""`cpo export evchart`: EV-ChART (NEVI) CSV modules from the built warehouse.

Bad input prints one ``error: ...`` line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.exports import evchart
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

export_app = typer.Typer(help="Reports for regulators and partners.", no_args_is_help=True)


@export_app.callback()
def export() -> None:
    """Reports for regulators and partners."""


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"{option} {text!r} is not a date; use YYYY-MM-DD") from None


@export_app.command("evchart")
@friendly
def evchart_export(
    start: Annotated[str, typer.Option("--from", help="First day (UTC), YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day (UTC, included), YYYY-MM-DD.")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the CSV files.", file_okay=False)
    ] = Path("evchart"),
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Write EV-ChART module 2 (sessions), 3 (port uptime by month) and 4 (outages) CSVs."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise fail(f"--to {last} is before --from {first}")
    written = evchart.write(data_dir, first, last, out)
    for item in written:
        typer.echo(f"{item.path}  {item.rows} rows")
