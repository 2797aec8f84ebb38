"""`cpo chargers ...` and `cpo tags ...`: edit the CSMS registry, also while the CSMS runs.

Bad input prints one `error: ...` line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer

from csms_lite.registry import (
    BOOT_STATUSES,
    TAG_STATUSES,
    ChargePoint,
    IdTag,
    InvalidValueError,
    Registry,
    RegistryError,
    hash_password,
    registry_path,
)
from csms_lite.registry.models import DEFAULT_HEARTBEAT_INTERVAL

chargers_app = typer.Typer(
    help="Charge points the CSMS knows: identity, password, boot answer, location.",
    no_args_is_help=True,
)
tags_app = typer.Typer(
    help="Id tags (RFID cards, app tokens) the CSMS authorises, and their status.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", envvar="CPO_DATA_DIR", help="Data folder holding registry.sqlite."),
]
_CHARGER_COLUMNS = (
    "id", "site", "connectors", "rated_kw", "vendor", "model", "boot_status",
    "heartbeat_interval", "password_set", "latitude", "longitude", "address",
)  # fmt: skip
_TAG_COLUMNS = ("id_tag", "status", "expiry", "expired", "partner", "parent_id_tag")
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DEFAULT_DATA_DIR = Path("./data")
# Record field -> the argument or option that sets it, so errors name what the user typed.
_OPTION_OF_FIELD = {
    "id": "ID",
    "id_tag": "TAG",
    "rated_kw": "--rated-kw",
    "boot_status": "--boot-status",
    "heartbeat_interval": "--heartbeat-interval",
    "latitude": "--lat/--lon",
    "longitude": "--lat/--lon",
    "parent_id_tag": "--parent",
}


# charge points


@chargers_app.command("add")
def add_charger(
    charge_point_id: Annotated[
        str, typer.Argument(metavar="ID", help="Identity: the charger's URL path and user name.")
    ],
    site: Annotated[str | None, typer.Option(help="Site the charger belongs to.")] = None,
    connectors: Annotated[int, typer.Option(help="Number of connectors (at least 1).")] = 1,
    rated_kw: Annotated[float | None, typer.Option(help="Rated power in kW.")] = None,
    model: Annotated[str | None, typer.Option(help="Charger model.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Charger vendor.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Basic-auth password (visible in shell history: prefer stdin)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Remove the password (security profile 0).")
    ] = False,
    boot_status: Annotated[
        str, typer.Option(help="BootNotification answer: Accepted, Pending or Rejected.")
    ] = "Accepted",
    heartbeat_interval: Annotated[
        int, typer.Option(help="Heartbeat interval in seconds.")
    ] = DEFAULT_HEARTBEAT_INTERVAL,
    lat: Annotated[float | None, typer.Option(help="Latitude (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (with --lat).")] = None,
    address: Annotated[str | None, typer.Option(help="Street address.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add a charge point, or replace all its fields; a stored password is kept unless given."""
    new_password = _chosen_password(password, password_stdin, no_password)
    with _registry(data_dir, must_exist=False) as registry:
        existing = registry.get_charge_point(charge_point_id)
        cp = ChargePoint(
            id=charge_point_id,
            site=site,
            connectors=connectors,
            rated_kw=rated_kw,
            model=model,
            vendor=vendor,
            boot_status=_canonical(boot_status, BOOT_STATUSES),
            heartbeat_interval=heartbeat_interval,
            password_hash=existing.password_hash if existing else None,
            latitude=lat,
            longitude=lon,
            address=address,
        )
        if new_password is not None:
            cp = replace(cp, password_hash=hash_password(new_password) if new_password else None)
        registry.add_charge_point(cp)
    typer.echo(f"{'updated' if existing else 'added'} charge point {charge_point_id}")


@chargers_app.command("list")
def list_chargers(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List charge points (passwords show only as yes/no)."""
    with _registry(data_dir) as registry:
        charge_points = registry.list_charge_points()
    records = [_charger_record(cp) for cp in charge_points]
    _print_records(records, _CHARGER_COLUMNS, as_json)


@chargers_app.command("remove")
def remove_charger(
    charge_point_id: Annotated[str, typer.Argument(metavar="ID", help="Charge point identity.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove a charge point; it can no longer connect (open sessions are kept)."""
    with _registry(data_dir) as registry:
        if not registry.remove_charge_point(charge_point_id):
            _fail(f"no charge point {charge_point_id!r}; see `cpo chargers list` for the ids")
    typer.echo(f"removed charge point {charge_point_id}")


# id tags


@tags_app.command("add")
def add_tag(
    id_tag: Annotated[str, typer.Argument(metavar="TAG", help="The id tag (case-insensitive).")],
    status: Annotated[
        str, typer.Option(help="Accepted, Blocked, Expired or Invalid.")
    ] = "Accepted",
    partner: Annotated[str | None, typer.Option(help="Owning eMSP / partner id.")] = None,
    expiry: Annotated[
        str | None, typer.Option(help="ISO 8601 expiry, e.g. 2026-12-31T23:59:59Z (no zone: UTC).")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="Parent (group) id tag.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add an id tag, or replace an existing one's fields."""
    expires = _parse_expiry(expiry) if expiry is not None else None
    with _registry(data_dir, must_exist=False) as registry:
        tag = IdTag(id_tag, _canonical(status, TAG_STATUSES), partner, expires, parent)
        existing = registry.get_id_tag(id_tag, datetime.now(UTC))
        registry.add_id_tag(tag)
    typer.echo(f"{'updated' if existing else 'added'} id tag {id_tag}")


@tags_app.command("list")
def list_tags(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List id tags with their stored status; `expired` says whether expiry has passed."""
    with _registry(data_dir) as registry:
        tags = registry.list_id_tags()
    now = datetime.now(UTC)
    records = [_tag_record(tag, now) for tag in tags]
    _print_records(records, _TAG_COLUMNS, as_json)


@tags_app.command("remove")
def remove_tag(
    id_tag: Annotated[str, typer.Argument(metavar="TAG", help="The id tag.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove an id tag; it is then answered Invalid."""
    with _registry(data_dir) as registry:
        if not registry.remove_id_tag(id_tag):
            _fail(f"no id tag {id_tag!r}; see `cpo tags list` for the tags")
    typer.echo(f"removed id tag {id_tag}")


# helpers


@contextmanager
def _registry(data_dir: Path, must_exist: bool = True) -> Iterator[Registry]:
    """Open the registry; turn registry errors into one `error:` line and exit code 2."""
    path = registry_path(data_dir)
    if must_exist and not path.exists():
        _fail(f"no registry at {path}; pass --data-dir (or set CPO_DATA_DIR) or add a record")
    try:
        with Registry(path) as registry:
            yield registry
    except InvalidValueError as exc:
        _fail(f"{_OPTION_OF_FIELD.get(exc.field, '--' + exc.field)}: {exc.problem}")
    except RegistryError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _canonical(value: str, choices: Sequence[str]) -> str:
    """Accept any letter case ("pending"); unknown values pass through for the model to reject."""
    return next((c for c in choices if c.lower() == value.lower()), value)


def _chosen_password(password: str | None, from_stdin: bool, remove: bool) -> str | None:
    """The new password, "" to remove it, or None to keep the stored one."""
    if (password is not None) + from_stdin + remove > 1:
        _fail("use only one of --password, --password-stdin and --no-password")
    if remove:
        return ""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if password is not None and not password:
        _fail("the password is empty; give one, or use --no-password for none")
    if password is not None and not 16 <= len(password) <= 40:
        typer.echo("warning: OCPP basic-auth passwords are 16 to 40 characters", err=True)
    return password


def _parse_expiry(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--expiry {text!r} is not an ISO 8601 date-time; use e.g. 2026-12-31T23:59:59Z")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _charger_record(cp: ChargePoint) -> dict[str, Any]:
    record = asdict(cp)
    del record["password_hash"]  # never shown, not even hashed
    record["password_set"] = cp.password_hash is not None
    return record


def _tag_record(tag: IdTag, now: datetime) -> dict[str, Any]:
    record = asdict(tag)
    record["expiry"] = tag.expiry.isoformat() if tag.expiry else None
    record["expired"] = tag.expiry is not None and tag.expiry < now
    return record


def _print_records(records: list[dict[str, Any]], headers: Sequence[str], as_json: bool) -> None:
    if as_json:
        typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif not records:
        typer.echo("(none)")
    else:
        typer.echo(_table(headers, [[_cell(r[h]) for h in headers] for r in records]))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _table(headers: Sequence[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(_row(line, widths) for line in lines)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
