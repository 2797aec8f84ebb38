"""`cpo chargers ...` / `cpo tags ...` through typer's CliRunner, on a real registry file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner, Result

from csms_lite.registry import Registry, verify_password
from ingest.data_folder import DataFolder
from workbench.commands.chargers import chargers_app
from workbench.commands.tags import tags_app

PASSWORD = "0123456789abcdef-pw"
app = typer.Typer()  # mounted the way the lead mounts them under `cpo`
app.add_typer(chargers_app, name="chargers")
app.add_typer(tags_app, name="tags")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(data_dir: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)], input=stdin)


def ok(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    result = run(data_dir, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(data_dir: Path, *args: str, says: str) -> None:
    result = run(data_dir, *args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert says in lines[0]


def test_chargers_add_with_every_option(data_dir: Path) -> None:
    out = ok(data_dir, "chargers", "add", "CP-1", "--site", "S1", "--connectors", "2",
             "--rated-kw", "150", "--model", "Terra", "--vendor", "ABB", "--password", PASSWORD,
             "--boot-status", "pending", "--heartbeat-interval", "60", "--lat", "52.3",
             "--lon", "4.9", "--address", "Damrak 1")  # fmt: skip
    assert out.strip() == "added charge point CP-1"
    with Registry(DataFolder(data_dir).registry_file) as reg:
        cp = reg.get_charge_point("CP-1")
    assert cp is not None
    assert (cp.site, cp.connectors, cp.rated_kw, cp.model, cp.vendor) == (
        "S1", 2, 150.0, "Terra", "ABB")  # fmt: skip
    assert (cp.boot_status, cp.heartbeat_interval) == ("Pending", 60)
    assert (cp.latitude, cp.longitude, cp.address) == (52.3, 4.9, "Damrak 1")
    assert cp.password_hash is not None
    assert verify_password(PASSWORD, cp.password_hash)


def test_password_from_stdin_kept_on_update_and_removable(data_dir: Path) -> None:
    ok(data_dir, "chargers", "add", "CP-1", "--password-stdin", stdin=PASSWORD + "\n")
    first = _password_hash(data_dir)
    assert first is not None
    assert verify_password(PASSWORD, first)
    assert "updated" in ok(data_dir, "chargers", "add", "CP-1", "--site", "S2")
    assert _password_hash(data_dir) == first
    ok(data_dir, "chargers", "add", "CP-1", "--no-password")
    assert _password_hash(data_dir) is None


def test_short_password_warns(data_dir: Path) -> None:
    result = run(data_dir, "chargers", "add", "CP-1", "--password", "short")
    assert result.exit_code == 0
    assert "warning" in result.stderr


def test_env_var_sets_data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPO_DATA_DIR", str(data_dir))
    result = CliRunner().invoke(app, ["chargers", "add", "CP-ENV"])
    assert result.exit_code == 0, result.output
    assert DataFolder(data_dir).registry_file.exists()


def test_chargers_list_table_and_json_hide_hashes(data_dir: Path) -> None:
    ok(data_dir, "chargers", "add", "CP-2", "--password", PASSWORD)
    ok(data_dir, "chargers", "add", "CP-1", "--site", "S1")
    table = ok(data_dir, "chargers", "list")
    assert "scrypt" not in table
    header, _, first, second = table.strip().splitlines()
    assert header.split()[:2] == ["id", "site"]
    assert "password_set" in header
    assert first.split()[:2] == ["CP-1", "S1"]
    assert " no " in first
    assert " yes " in second
    records = orjson.loads(ok(data_dir, "chargers", "list", "--json"))
    assert [r["id"] for r in records] == ["CP-1", "CP-2"]
    assert [r["password_set"] for r in records] == [False, True]
    assert all("password_hash" not in r for r in records)


def test_chargers_list_empty(data_dir: Path) -> None:
    ok(data_dir, "tags", "add", "T1")  # creates the registry
    assert ok(data_dir, "chargers", "list").strip() == "(none)"
    assert orjson.loads(ok(data_dir, "chargers", "list", "--json")) == []


def test_chargers_remove(data_dir: Path) -> None:
    ok(data_dir, "chargers", "add", "CP-1")
    assert ok(data_dir, "chargers", "remove", "CP-1").strip() == "removed charge point CP-1"
    assert orjson.loads(ok(data_dir, "chargers", "list", "--json")) == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--boot-status", "Maybe"], "--boot-status: must be one of Accepted, Pending, Rejected"),
        (["--connectors", "-1"], "--connectors: must be a whole number of at least 1"),
        (["--connectors", "0"], "--connectors"),
        (["--heartbeat-interval", "0"], "--heartbeat-interval"),
        (["--rated-kw", "-5"], "--rated-kw"),
        (["--lat", "52.3"], "--lat/--lon: latitude and longitude must be given together"),
        (["--lat", "99", "--lon", "0"], "--lat/--lon: must be between -90 and 90"),
        (["--password", "x" * 20, "--no-password"], "use only one of"),
        (["--password", ""], "the password is empty"),
    ],
)
def test_chargers_add_bad_input(data_dir: Path, args: list[str], says: str) -> None:
    fails(data_dir, "chargers", "add", "CP-1", *args, says=says)
    registry = DataFolder(data_dir).registry_file
    assert not registry.exists() or _password_hash(data_dir, "CP-1") is None


def test_chargers_add_bad_id(data_dir: Path) -> None:
    fails(data_dir, "chargers", "add", "CP:1", says="ID: must not contain ':' or '/'")


def test_remove_unknown_and_missing_registry(data_dir: Path) -> None:
    fails(data_dir, "chargers", "remove", "CP-9", says="no registry at")
    fails(data_dir, "chargers", "list", says="--data-dir")
    ok(data_dir, "chargers", "add", "CP-1")
    fails(data_dir, "chargers", "remove", "CP-9", says="no charge point 'CP-9'")
    fails(data_dir, "tags", "remove", "T-9", says="no id tag 'T-9'")


def test_corrupt_registry_is_one_line(data_dir: Path) -> None:
    data_dir.mkdir()
    DataFolder(data_dir).registry_file.write_bytes(b"garbage" * 1000)
    fails(data_dir, "chargers", "list", says=str(DataFolder(data_dir).registry_file))


def test_tags_add_list_remove(data_dir: Path) -> None:
    assert ok(data_dir, "tags", "add", "04AABB", "--partner", "EMSP-1", "--expiry",
              "2020-01-01T00:00:00Z").strip() == "added id tag 04AABB"  # fmt: skip
    ok(data_dir, "tags", "add", "CARD-2", "--status", "blocked", "--parent", "04AABB",
       "--expiry", "2099-12-31T23:00:00+01:00")  # fmt: skip
    assert "updated" in ok(data_dir, "tags", "add", "card-2", "--status", "Blocked")
    records = orjson.loads(ok(data_dir, "tags", "list", "--json"))
    assert records == [
        {"id_tag": "04AABB", "status": "Accepted", "partner": "EMSP-1",
         "expiry": "2020-01-01T00:00:00+00:00", "parent_id_tag": None, "expired": True},
        {"id_tag": "card-2", "status": "Blocked", "partner": None, "expiry": None,
         "parent_id_tag": None, "expired": False},
    ]  # fmt: skip
    table = ok(data_dir, "tags", "list")
    assert table.splitlines()[0].split() == [
        "id_tag", "status", "expiry", "expired", "partner", "parent_id_tag"]  # fmt: skip
    with Registry(DataFolder(data_dir).registry_file) as reg:
        tag = reg.get_id_tag("04aabb", datetime.now(UTC))
    assert tag is not None
    assert tag.status == "Expired"
    assert ok(data_dir, "tags", "remove", "04aabb").strip() == "removed id tag 04aabb"
    assert [r["id_tag"] for r in orjson.loads(ok(data_dir, "tags", "list", "--json"))] == [
        "card-2"]  # fmt: skip


def test_tags_expiry_without_zone_is_utc(data_dir: Path) -> None:
    ok(data_dir, "tags", "add", "T1", "--expiry", "2030-06-01T12:00:00")
    record = orjson.loads(ok(data_dir, "tags", "list", "--json"))[0]
    assert record["expiry"] == "2030-06-01T12:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["T1", "--expiry", "next tuesday"], "--expiry 'next tuesday' is not an ISO 8601"),
        (["T1", "--status", "ConcurrentTx"], "--status: must be one of Accepted, Blocked"),
        (["T1", "--parent", "a b"], "--parent"),
        (["x" * 40], "TAG: must be 1 to 36 characters"),
    ],
)
def test_tags_add_bad_input(data_dir: Path, args: list[str], says: str) -> None:
    fails(data_dir, "tags", "add", *args, says=says)


@pytest.mark.parametrize(
    "command",
    [[], ["add"], ["list"], ["remove"]],
)
@pytest.mark.parametrize("group", ["chargers", "tags"])
def test_every_command_has_help(group: str, command: list[str]) -> None:
    result = CliRunner().invoke(app, [group, *command, "--help"])
    assert result.exit_code == 0
    assert "--help" in result.output
    if command:
        assert "--data-dir" in result.output
        assert "CPO_DATA_DIR" in result.output


def _password_hash(data_dir: Path, cp_id: str = "CP-1") -> str | None:
    with Registry(DataFolder(data_dir).registry_file) as reg:
        cp = reg.get_charge_point(cp_id)
    return cp.password_hash if cp else None


def test_chargers_add_sets_the_site_timezone(data_dir: Path) -> None:
    ok(data_dir, "chargers", "add", "CP-1", "--site", "S1", "--timezone", "America/New_York")
    ok(data_dir, "chargers", "add", "CP-2", "--site", "S1")  # the site keeps its zone
    with Registry(DataFolder(data_dir).registry_file) as reg:
        assert reg.site_timezones() == {"S1": "America/New_York"}
    listed = orjson.loads(ok(data_dir, "chargers", "list", "--json"))
    assert [r["timezone"] for r in listed] == ["America/New_York", "America/New_York"]


def test_chargers_add_bad_timezone_changes_nothing(data_dir: Path) -> None:
    fails(data_dir, "chargers", "add", "CP-1", "--site", "S1", "--timezone", "Mars/Base",
          says="--timezone: unknown time zone 'Mars/Base'")
    fails(data_dir, "chargers", "add", "CP-1", "--timezone", "UTC", says="give --site")
    with Registry(DataFolder(data_dir).registry_file) as reg:
        assert reg.get_charge_point("CP-1") is None
