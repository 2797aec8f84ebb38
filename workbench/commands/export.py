"""`cpo export evchart` and `cpo export evchart-costs`: EV-ChART (NEVI) CSV modules from the built
warehouse, and the station cost table module 9 is written from.

Bad input prints one ``error: ...`` line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.exports import evchart, evchart_costs
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

export_app = typer.Typer(help="Reports for regulators and partners.", no_args_is_help=True)
costs_app = typer.Typer(
    help="EV-ChART station costs (module 9) and operational dates, in "
    f"<data-dir>/config/{evchart_costs.FILE_NAME}.",
    no_args_is_help=True,
)
export_app.add_typer(costs_app, name="evchart-costs")


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
    network_provider: Annotated[
        str,
        typer.Option(
            "--network-provider",
            envvar=evchart.NETWORK_PROVIDER_ENV,
            help="The network provider key the stations are registered under in EV-ChART.",
        ),
    ] = evchart.DEFAULT_NETWORK_PROVIDER,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Write EV-ChART modules 2 (sessions), 3 (uptime), 4 (outages) and 9 (costs), checked
    against the Joint Office's module rules; nothing is written if a rule is broken."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise fail(f"--to {last} is before --from {first}")
    written = evchart.write(data_dir, first, last, out, network_provider)
    for item in written:
        typer.echo(f"{item.path}  {item.rows} rows" + (f"  ({item.note})" if item.note else ""))


@costs_app.command("set")
@friendly
def set_costs(
    station_id: Annotated[str, typer.Argument(metavar="STATION", help="Station (site) id.")],
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="Module 9 fields (e.g. equipment_cost_total=120000) or operational_date="
            "YYYY-MM-DD; an empty value clears the field.",
        ),
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Set a station's EV-ChART costs (module 9) or operational date."""
    updates: dict[str, str] = {}
    for pair in values:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise fail(f"{pair!r} is not FIELD=VALUE (e.g. equipment_cost_total=120000)")
        updates[field.strip()] = value
    row = evchart_costs.set_values(evchart_costs.csv_path(data_dir), station_id, updates)
    typer.echo(" ".join(f"{k}={v}" for k, v in row.items() if v))


@costs_app.command("list")
@friendly
def list_costs(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List the stations' costs: one line per station, the fields that are set."""
    table = evchart_costs.load(evchart_costs.csv_path(data_dir))
    if not table:
        typer.echo("no station costs (set some with `cpo export evchart-costs set`)")
    for row in table.values():
        needed = evchart_costs.missing(row) if evchart_costs.has_costs(row) else []
        lacks = f"  (module 9 still needs: {', '.join(needed)})" if needed else ""
        typer.echo(" ".join(f"{k}={v}" for k, v in row.items() if v) + lacks)


@costs_app.command("remove")
@friendly
def remove_costs(
    station_id: Annotated[str, typer.Argument(metavar="STATION", help="Station (site) id.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove a station's row from the cost table."""
    evchart_costs.remove(evchart_costs.csv_path(data_dir), station_id)
    typer.echo(f"removed {station_id}")
