"""`cpo users`: the dashboard's users file, edited from the command line: hashed, mode 0600,
one-line errors with exit code 2."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.users import UserStore
from ingest.data_folder import DataFolder
from workbench.cli import app

runner = CliRunner()


def cpo(data: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["users", *args, "--data-dir", str(data)], input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_add_list_role_passwd_remove(tmp_path: Path) -> None:
    assert cpo(tmp_path, "list") == (0, "no users: the dashboard runs in its local mode "
                                        "(loopback only, no sign-in)\n")
    code, out = cpo(tmp_path, "add", "ann", "--role", "admin",
                    stdin="first-password\nfirst-password\n")
    assert code == 0, out
    assert "sign-in is now required" in out
    assert cpo(tmp_path, "add", "bob", "--role", "operator", "--password-stdin",
               stdin="bobs-password\n")[0] == 0
    assert cpo(tmp_path, "add", "sso@example.com", "--identity-provider")[0] == 0
    code, out = cpo(tmp_path, "list", "--json")
    assert json.loads(out) == [
        {"name": "ann", "role": "admin", "sign_in": "password"},
        {"name": "bob", "role": "operator", "sign_in": "password"},
        {"name": "sso@example.com", "role": "viewer", "sign_in": "identity provider"},
    ]
    assert cpo(tmp_path, "role", "bob", "viewer")[0] == 0
    assert cpo(tmp_path, "passwd", "bob", "--password-stdin", stdin="new-bob-password\n")[0] == 0
    store = UserStore(DataFolder(tmp_path).dashboard_users)
    assert store.verify("bob", "new-bob-password") == store.get("bob")
    assert store.verify("bob", "bobs-password") is None
    assert store.get("bob").role == "viewer"  # type: ignore[union-attr]
    assert cpo(tmp_path, "remove", "bob")[0] == 0
    assert list(store.users()) == ["ann", "sso@example.com"]


def test_the_file_is_private_and_hashed(tmp_path: Path) -> None:
    cpo(tmp_path, "add", "ann", "--role", "admin", "--password-stdin", stdin="plain-secret-1\n")
    path = DataFolder(tmp_path).dashboard_users
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "plain-secret-1" not in text
    assert json.loads(text)["users"][0]["password_hash"].startswith("scrypt$")


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "ann", "--role", "boss", "--identity-provider"), None,
     "error: --role 'boss': one of viewer, operator, admin"),
    (("add", "no spaces", "--identity-provider"), None, "error: invalid user name 'no spaces'"),
    (("add", "ann", "--password-stdin"), "short\n",
     "error: password too short: at least 10 characters"),
    (("add", "root", "--identity-provider"), None, "error: user 'root' exists"),
    (("remove", "nobody"), None, "error: no user 'nobody' (cpo users list)"),
    (("passwd", "nobody", "--password-stdin"), "whatever-long\n", "error: no user 'nobody'"),
    (("role", "root", "viewer"), None, "error: that would leave no admin"),
    (("remove", "root"), None, "error: that would leave no admin"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...],
                                          stdin: str | None, message: str) -> None:
    cpo(tmp_path, "add", "root", "--role", "admin", "--identity-provider")
    code, out = cpo(tmp_path, *args, stdin=stdin)
    assert code == 2
    assert out.startswith(message), out
    assert out.count("\n") == 1, out


def test_no_data_folder(tmp_path: Path) -> None:
    code, out = cpo(tmp_path / "absent", "list")
    assert code == 2
    assert out.startswith("error: no data folder at")
