"""`cpo users ...`: who may sign in to the dashboard, and with which role (viewer: read,
operator: also commands, admin: also users). The first user turns the dashboard's sign-in on."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dashboard.users import MIN_PASSWORD, ROLES, UserStore, check_name
from ingest.data_folder import DataFolder
from workbench.commands.record_table import AsJson, print_records
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

users_app = typer.Typer(
    help="Dashboard users and their roles (viewer, operator, admin); sign-in is required once "
    "one exists.",
    no_args_is_help=True,
)
Name = Annotated[str, typer.Argument(metavar="NAME", help="User name (or the e-mail the "
                                                          "identity provider gives).")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of "
                                                "stdin (scripts) instead of prompting.")
]


def _store(data_dir: DataDir) -> UserStore:
    if not data_dir.is_dir():
        raise fail(f"no data folder at {data_dir}: pass --data-dir, or create one with "
                   "cpo simulate / cpo demo")
    return UserStore(DataFolder(data_dir).dashboard_users)


def _role(role: str) -> str:
    if role not in ROLES:
        raise fail(f"--role {role!r}: one of {', '.join(ROLES)}")
    return role


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt(f"Password (at least {MIN_PASSWORD} characters)", hide_input=True,
                            confirmation_prompt=True))


@users_app.command("add")
@friendly
def add_user(
    name: Name,
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    identity_provider: Annotated[
        bool, typer.Option("--identity-provider", help="No password: signs in only through the "
                           "identity provider (OIDC, see docs/dashboard.md) as NAME.")
    ] = False,
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add a dashboard user (prompts for the password)."""
    store, role = _store(data_dir), _role(role)
    if check_name(name) in store.users():  # before prompting for a password that goes nowhere
        raise fail(f"user {name!r} exists: use `cpo users passwd` or remove it")
    password = None if identity_provider else _password(password_stdin)
    first = not store.configured
    store.add(name, role, password)
    typer.echo(f"added {name} ({role})")
    if first:
        typer.echo(f"sign-in is now required on the dashboard of {data_dir}")


@users_app.command("list")
@friendly
def list_users(as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List the users and roles (never the password hashes)."""
    store = _store(data_dir)
    records = [{"name": u.name, "role": u.role,
                "sign_in": "password" if u.password_hash else "identity provider"}
               for u in store.users().values()]
    if not store.configured and not as_json:
        typer.echo("no users: the dashboard runs in its local mode (loopback only, no sign-in)")
        return
    print_records(records, ("name", "role", "sign_in"), as_json)


@users_app.command("remove")
@friendly
def remove_user(name: Name, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Remove a user; signed in, they are signed out on their next click."""
    _store(data_dir).remove(name)
    typer.echo(f"removed {name}")


@users_app.command("passwd")
@friendly
def set_password(name: Name, password_stdin: PasswordStdin = False,
                 data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Set a user's password (prompts for it)."""
    store = _store(data_dir)
    if store.get(name) is None:  # before prompting for a password that would go nowhere
        raise fail(f"no user {name!r} (cpo users list)")
    store.set_password(name, _password(password_stdin))
    typer.echo(f"password of {name} changed")


@users_app.command("role")
@friendly
def set_role(
    name: Name,
    role: Annotated[str, typer.Argument(metavar="ROLE", help=f"One of {', '.join(ROLES)}.")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Change a user's role."""
    _store(data_dir).set_role(name, _role(role))
    typer.echo(f"{name} is now {role}")
