"""``cpo replay``: real charging sessions from a file, replayed as OCPP 1.6J traffic through a
real CSMS on the sessions' own historical times, then reconciled against the lake."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ingest.replay.row_checks import DEFAULT_MAX_KW
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir


class Format(enum.StrEnum):
    acn = "acn"
    csv = "csv"


def _col(what: str, default: str | None = None) -> Any:
    tail = f" (default: {default})" if default else ""
    return typer.Option(help=f"CSV only: the column holding {what}{tail}.")


@friendly
def replay(
    file: Annotated[
        Path, typer.Argument(help="Session file: ACN-Data API JSON, or a CSV.", dir_okay=False)
    ],
    format_: Annotated[
        Format | None,
        typer.Option("--format", help="File format (default: from the extension, .json = acn)."),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    limit: Annotated[
        int | None, typer.Option(help="Replay only the first N sessions in time order.", min=1)
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            help="Historical seconds per real second (3600: an hour a second); 0: as fast as "
            "possible.",
            min=0,
        ),
    ] = 0.0,
    meter_interval: Annotated[
        float, typer.Option(help="Minutes between MeterValues while a car charges.", min=0.1)
    ] = 15.0,
    partner: Annotated[
        str | None,
        typer.Option(
            help="Partner (eMSP) owning the replay's id tags (default: acn, or replay for CSV)."
        ),
    ] = None,
    heartbeat_interval: Annotated[
        float,
        typer.Option(
            help="Minutes between a replayed station's Heartbeats (registered with it; the "
            "offline detector allows this x its tolerance of silence).",
            min=1,
        ),
    ] = 1440.0,
    assume_online: Annotated[
        bool,
        typer.Option(
            "--assume-online/--no-assume-online",
            help="Keep stations online between sessions with Heartbeats (the file says nothing "
            "about connectivity). --no-assume-online: none, so quiet time counts as offline.",
        ),
    ] = True,
    outages: Annotated[
        Path | None,
        typer.Option(
            help="CSV of real down windows (columns station, start, end [, status, "
            "error_code]): replayed as StatusNotification Unavailable/Faulted, then Available.",
            dir_okay=False,
        ),
    ] = None,
    on_bad_row: Annotated[
        str,
        typer.Option(
            help="A row that cannot be replayed (blank, unreadable, implausible date, zero or "
            "impossible kWh, duplicate, overlap, end not after start): 'stop' sends nothing and "
            "lists them with line numbers; 'skip' replays the others and counts them.",
            metavar="stop|skip",
        ),
    ] = "stop",
    max_kw: Annotated[
        float,
        typer.Option(help="Stations' power ceiling (kW): more energy than this x the plug-in "
                     "time is impossible.", min=0.1),
    ] = DEFAULT_MAX_KW,
    connectors: Annotated[
        str | None,
        typer.Option(
            help="Connectors per station: a number for all, or a CSV (station, connectors). "
            "Default 1: overlapping sessions on a station are bad rows.",
            metavar="N|FILE",
        ),
    ] = None,
    append: Annotated[
        bool, typer.Option(help="Add to a lake that already holds data (the reconciliation "
                           "then covers every replay in it).")
    ] = False,
    replace_lake: Annotated[
        bool, typer.Option("--replace", help="Replace a lake that already holds data (and its "
                           "warehouse), once this replay has run.")
    ] = False,
    repair_years: Annotated[
        bool, typer.Option(help="CSV only: read years below 100 as two-digit years "
                           "(0014 -> 2014).")
    ] = False,
    progress_every: Annotated[
        int, typer.Option(help="Print a progress line (stderr) every N sessions; 0: none.", min=0)
    ] = 500,
    station_col: Annotated[str | None, _col("the station id", "station")] = None,
    start_col: Annotated[str | None, _col("the plug-in time", "start")] = None,
    end_col: Annotated[str | None, _col("the unplug time", "end")] = None,
    energy_col: Annotated[str | None, _col("the energy delivered in kWh", "kwh")] = None,
    site_col: Annotated[str | None, _col("the site")] = None,
    user_col: Annotated[str | None, _col("the user id (id tags are derived from it)")] = None,
    done_col: Annotated[str | None, _col("when charging finished (overstay begins)")] = None,
    price_col: Annotated[
        str | None,
        _col("the amount the session was charged (the warehouse's revenue for it, instead of "
             "the tariff estimate)"),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(help="CSV only, with --price-col: ISO 4217 code of the amounts "
                     "(default: USD)."),
    ] = None,
    time_format: Annotated[
        str | None, typer.Option(help="CSV only: strptime format of the times (default: ISO 8601).")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA time zone of the sites (their local days and time-of-use "
                     "bands). CSV: also of times without an offset (default: UTC, site zone "
                     "unknown). ACN: for items without their own 'timezone' field."),
    ] = None,
) -> None:
    """Replay a real session file as OCPP traffic through a CSMS, then reconcile the lake."""
    csv_options = {
        "station": station_col,
        "start": start_col,
        "end": end_col,
        "energy": energy_col,
        "site": site_col,
        "user": user_col,
        "done": done_col,
        "price": price_col,
        "currency": currency,
        "time_format": time_format,
        "timezone": timezone,
    }
    given: dict[str, Any] = {k: v for k, v in csv_options.items() if v is not None}
    if repair_years:
        given["repair_years"] = True
    kind = format_ or _guess_format(file)
    csv_only = [k for k in given if k != "timezone"]
    if kind is Format.acn and csv_only:
        raise fail(f"{', '.join(_option(k) for k in csv_only)} only apply to --format csv")
    if currency is not None and price_col is None:
        raise fail("--currency is the currency of --price-col; give --price-col with it")
    if currency is not None and not (len(currency) == 3 and currency.isascii()
                                     and currency.isalpha() and currency.isupper()):
        raise fail(f"--currency {currency!r}: give an ISO 4217 code such as USD or EUR")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    if on_bad_row not in ("stop", "skip"):
        raise fail(f"--on-bad-row {on_bad_row!r}: give stop or skip")
    if append and replace_lake:
        raise fail("--append and --replace exclude each other; give one")
    # Heavy imports (the CSMS, DuckDB) only when the command runs.
    from ingest.replay.connectors import connector_counts
    from ingest.replay.csv_reader import CsvMapping
    from ingest.replay.driver import ReplaySettings
    from ingest.replay.row_checks import CheckRules
    from workbench.runs.replay import BadRows, IfLakeHolds, ReplayJob, run_job

    settings = ReplaySettings(
        data_dir,
        partner or ("acn" if kind is Format.acn else "replay"),
        meter_interval * 60,
        round(heartbeat_interval * 60),
        assume_online,
        speed,
        progress_every,
    )
    holds = (IfLakeHolds.APPEND if append else IfLakeHolds.REPLACE if replace_lake
             else IfLakeHolds.REFUSE)
    rules = CheckRules(max_kw, connector_counts(connectors))
    job = ReplayJob(file, kind.value, CsvMapping(**given), settings, limit, outages, rules,
                    BadRows(on_bad_row), holds)
    ok = run_job(job, typer.echo, lambda line: typer.echo(line, err=True))
    if not ok:
        raise typer.Exit(1)


def _option(field: str) -> str:
    plain = field in ("time_format", "timezone", "repair_years", "currency")
    return f"--{field.replace('_', '-')}" + ("" if plain else "-col")


def _guess_format(file: Path) -> Format:
    suffix = file.suffix.lower()
    if suffix == ".json":
        return Format.acn
    if suffix == ".csv":
        return Format.csv
    raise fail(f"cannot tell the format of {file} from its extension; pass --format acn|csv")
