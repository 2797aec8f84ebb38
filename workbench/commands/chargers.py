"""`cpo chargers ...`: the charge points the CSMS knows, edited also while the CSMS runs."""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from typing import Annotated, Any

import typer

from csms_lite.registry import BOOT_STATUSES, ChargePoint, hash_password
from csms_lite.registry.models import DEFAULT_HEARTBEAT_INTERVAL, check_timezone
from workbench.commands.record_table import AsJson, print_records
from workbench.commands.registry_access import canonical, open_registry
from workbench.errors import fail
from workbench.options import DEFAULT_DATA_DIR, DataDir

chargers_app = typer.Typer(
    help="Charge points the CSMS knows: identity, password, boot answer, location.",
    no_args_is_help=True,
)
_COLUMNS = (
    "id", "site", "connectors", "rated_kw", "vendor", "model", "boot_status",
    "heartbeat_interval", "password_set", "latitude", "longitude", "address", "timezone",
)  # fmt: skip


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
    timezone: Annotated[
        str | None,
        typer.Option(help="The site's IANA time zone (with --site; for all its chargers), e.g. "
                     "America/New_York: its local days, hours and time-of-use bands."),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add a charge point, or replace all its fields; a stored password is kept unless given."""
    new_password = _chosen_password(password, password_stdin, no_password)
    if timezone is not None and site is None:
        raise fail("--timezone is the site's: give --site with it")
    with open_registry(data_dir, must_exist=False) as registry:
        existing = registry.get_charge_point(charge_point_id)
        cp = ChargePoint(
            id=charge_point_id,
            site=site,
            connectors=connectors,
            rated_kw=rated_kw,
            model=model,
            vendor=vendor,
            boot_status=canonical(boot_status, BOOT_STATUSES),
            heartbeat_interval=heartbeat_interval,
            password_hash=existing.password_hash if existing else None,
            latitude=lat,
            longitude=lon,
            address=address,
        )
        if new_password is not None:
            cp = replace(cp, password_hash=hash_password(new_password) if new_password else None)
        if timezone is not None:
            check_timezone(timezone)  # before any write: a bad zone changes nothing
        registry.add_charge_point(cp)
        if timezone is not None and site is not None:
            registry.set_site_timezone(site, timezone)
    typer.echo(f"{'updated' if existing else 'added'} charge point {charge_point_id}")


@chargers_app.command("list")
def list_chargers(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List charge points (passwords show only as yes/no)."""
    with open_registry(data_dir) as registry:
        charge_points = registry.list_charge_points()
        zones = registry.site_timezones()
    records = [_record(cp, zones) for cp in charge_points]
    print_records(records, _COLUMNS, as_json)


@chargers_app.command("remove")
def remove_charger(
    charge_point_id: Annotated[str, typer.Argument(metavar="ID", help="Charge point identity.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove a charge point; it can no longer connect (open sessions are kept)."""
    with open_registry(data_dir) as registry:
        if not registry.remove_charge_point(charge_point_id):
            raise fail(f"no charge point {charge_point_id!r}; see `cpo chargers list` for the ids")
    typer.echo(f"removed charge point {charge_point_id}")


def _chosen_password(password: str | None, from_stdin: bool, remove: bool) -> str | None:
    """The new password, "" to remove it, or None to keep the stored one."""
    if (password is not None) + from_stdin + remove > 1:
        raise fail("use only one of --password, --password-stdin and --no-password")
    if remove:
        return ""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if password is not None and not password:
        raise fail("the password is empty; give one, or use --no-password for none")
    if password is not None and not 16 <= len(password) <= 40:
        typer.echo("warning: OCPP basic-auth passwords are 16 to 40 characters", err=True)
    return password


def _record(cp: ChargePoint, zones: dict[str, str]) -> dict[str, Any]:
    record = asdict(cp)
    record["timezone"] = zones.get(cp.site) if cp.site is not None else None  # the site's
    del record["password_hash"]  # never shown, not even hashed
    record["password_set"] = cp.password_hash is not None
    return record
