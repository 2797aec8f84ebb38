"""`cpo tokens ...`: the CSMS API's bearer tokens and their scopes (read, command, admin).

Works on the registry file directly, like `cpo chargers`: whoever can write the data folder
administers the API anyway. Only a hash of each token is stored; a new secret is printed once,
alone on stdout, so `cpo tokens create NAME > FILE` keeps it out of the shell history and ps."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from csms_lite.api.token import BOOTSTRAP_NAME, write_token_file
from csms_lite.registry.tokens import SCOPES, ApiToken
from ingest.data_folder import DataFolder
from workbench.commands.record_table import AsJson, print_records
from workbench.commands.registry_access import open_registry
from workbench.errors import fail
from workbench.options import DEFAULT_DATA_DIR, DataDir

tokens_app = typer.Typer(
    help="API bearer tokens: create, list, rotate, revoke (scopes: read, command, admin).",
    no_args_is_help=True,
)
_COLUMNS = ("name", "scopes", "created", "last_used", "uses", "revoked")
Name = Annotated[str, typer.Argument(metavar="NAME", help="The token's name (e.g. dashboard).")]


@tokens_app.command("create")
def create_token(
    name: Name,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", "-s", help=f"One of {', '.join(SCOPES)}; repeat for several "
                     "(default: read)."),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create a token and print its secret (shown this once)."""
    with open_registry(data_dir, must_exist=False) as registry:
        secret = registry.tokens.create(name, frozenset(scope or ["read"]), time.time())
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List tokens: scopes, when created, last used, how often, revoked (never the secret)."""
    with open_registry(data_dir) as registry:
        tokens = registry.tokens.list()
    print_records([_record(t) for t in tokens], _COLUMNS, as_json)


@tokens_app.command("rotate")
def rotate_token(name: Name, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Give a token a new secret (printed once); the old one stops working at once. Rotating
    the bootstrap token (operator) rewrites <data-dir>/api_token too."""
    with open_registry(data_dir) as registry:
        secret = registry.tokens.rotate(name, time.time())
    if name == BOOTSTRAP_NAME:
        write_token_file(DataFolder(data_dir).api_token_file, secret)
    typer.echo(secret)


@tokens_app.command("revoke")
def revoke_token(name: Name, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Revoke a token: every request with it is refused (401) from now on."""
    with open_registry(data_dir) as registry:
        if not registry.tokens.revoke(name, time.time()):
            raise fail(f"no active token named {name!r} (cpo tokens list)")
    typer.echo(f"revoked token {name}")


def _record(token: ApiToken) -> dict[str, Any]:
    return {"name": token.name, "scopes": " ".join(s for s in SCOPES if s in token.scopes),
            "created": _when(token.created_at), "last_used": _when(token.last_used_at),
            "uses": token.use_count, "revoked": _when(token.revoked_at)}


def _when(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
