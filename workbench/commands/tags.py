"""`cpo tags ...`: the id tags (RFID cards, app tokens) the CSMS authorises, and their status."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from csms_lite.registry import TAG_STATUSES, IdTag
from workbench.commands.record_table import AsJson, print_records
from workbench.commands.registry_access import canonical, open_registry
from workbench.errors import fail
from workbench.options import DEFAULT_DATA_DIR, DataDir

tags_app = typer.Typer(
    help="Id tags (RFID cards, app tokens) the CSMS authorises, and their status.",
    no_args_is_help=True,
)
_COLUMNS = ("id_tag", "status", "expiry", "expired", "partner", "parent_id_tag")


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
    with open_registry(data_dir, must_exist=False) as registry:
        tag = IdTag(id_tag, canonical(status, TAG_STATUSES), partner, expires, parent)
        existing = registry.get_id_tag(id_tag, datetime.now(UTC))
        registry.add_id_tag(tag)
    typer.echo(f"{'updated' if existing else 'added'} id tag {id_tag}")


@tags_app.command("list")
def list_tags(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List id tags with their stored status; `expired` says whether expiry has passed."""
    with open_registry(data_dir) as registry:
        tags = registry.list_id_tags()
    now = datetime.now(UTC)
    records = [_record(tag, now) for tag in tags]
    print_records(records, _COLUMNS, as_json)


@tags_app.command("remove")
def remove_tag(
    id_tag: Annotated[str, typer.Argument(metavar="TAG", help="The id tag.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Remove an id tag; it is then answered Invalid."""
    with open_registry(data_dir) as registry:
        if not registry.remove_id_tag(id_tag):
            raise fail(f"no id tag {id_tag!r}; see `cpo tags list` for the tags")
    typer.echo(f"removed id tag {id_tag}")


def _parse_expiry(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--expiry {text!r} is not an ISO 8601 date-time; use e.g. 2026-12-31T23:59:59Z"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _record(tag: IdTag, now: datetime) -> dict[str, Any]:
    record = asdict(tag)
    record["expiry"] = tag.expiry.isoformat() if tag.expiry else None
    record["expired"] = tag.expiry is not None and tag.expiry < now
    return record
