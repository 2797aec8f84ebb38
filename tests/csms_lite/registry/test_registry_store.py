"""Registry CRUD on real SQLite files, expiry, sharing and file errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from csms_lite.registry import (
    ChargePoint,
    IdTag,
    InvalidValueError,
    Registry,
    RegistryError,
    RegistryFileError,
    hash_password,
)
from csms_lite.registry.schema import SCHEMA_VERSION
from ingest.data_folder import DataFolder

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
FULL_CP = ChargePoint(
    id="CP-001",
    site="SITE-A",
    connectors=2,
    rated_kw=150.0,
    model="Terra 184",
    vendor="ABB",
    boot_status="Pending",
    heartbeat_interval=60,
    password_hash=hash_password("0123456789abcdef"),
    latitude=52.37,
    longitude=4.89,
    address="Damrak 1, Amsterdam",
)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        yield reg


def test_creates_file_with_schema_version(tmp_path: Path) -> None:
    path = DataFolder(tmp_path / "nested" / "data").registry_file
    Registry(path).close()
    assert path.name == "registry.sqlite"
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_charge_point_round_trip_and_upsert(registry: Registry) -> None:
    assert registry.get_charge_point("CP-001") is None
    registry.add_charge_point(FULL_CP)
    assert registry.get_charge_point("CP-001") == FULL_CP
    assert registry.get_charge_point("cp-001") is None  # identities are case-sensitive
    registry.add_charge_point(ChargePoint("CP-001", site="SITE-B"))
    assert registry.get_charge_point("CP-001") == ChargePoint("CP-001", site="SITE-B")
    assert len(registry.list_charge_points()) == 1


def test_list_and_remove_charge_points(registry: Registry) -> None:
    for cp_id in ("CP-2", "CP-1", "CP-3"):
        registry.add_charge_point(ChargePoint(cp_id))
    assert [cp.id for cp in registry.list_charge_points()] == ["CP-1", "CP-2", "CP-3"]
    assert registry.remove_charge_point("CP-2")
    assert not registry.remove_charge_point("CP-2")
    assert [cp.id for cp in registry.list_charge_points()] == ["CP-1", "CP-3"]


def test_id_tag_round_trip_case_insensitive(registry: Registry) -> None:
    tag = IdTag("04A1B2C3", "Accepted", "EMSP-1", NOW + timedelta(days=1), "GROUP-1")
    registry.add_id_tag(tag)
    assert registry.get_id_tag("04A1B2C3", NOW) == tag
    assert registry.get_id_tag("04a1b2c3", NOW) == tag  # OCPP idTag is a CiString
    registry.add_id_tag(IdTag("04a1b2c3", "Blocked"))  # same tag: replaces
    assert [t.status for t in registry.list_id_tags()] == ["Blocked"]
    assert registry.remove_id_tag("04A1B2C3")
    assert not registry.remove_id_tag("04A1B2C3")
    assert registry.get_id_tag("04A1B2C3", NOW) is None


def test_expired_tag_reads_expired(registry: Registry) -> None:
    registry.add_id_tag(IdTag("OLD", expiry=NOW - timedelta(seconds=1)))
    registry.add_id_tag(IdTag("EDGE", expiry=NOW))
    registry.add_id_tag(IdTag("NEW", expiry=NOW + timedelta(days=30)))
    registry.add_id_tag(IdTag("FOREVER"))
    registry.add_id_tag(IdTag("BLOCKED-OLD", "Blocked", expiry=NOW - timedelta(days=1)))
    statuses = {t: _status(registry, t) for t in ("OLD", "EDGE", "NEW", "FOREVER", "BLOCKED-OLD")}
    assert statuses == {
        "OLD": "Expired",
        "EDGE": "Accepted",
        "NEW": "Accepted",
        "FOREVER": "Accepted",
        "BLOCKED-OLD": "Blocked",  # a blocked tag stays blocked
    }
    assert {t.status for t in registry.list_id_tags()} == {"Accepted", "Blocked"}  # stored


def test_get_id_tag_needs_aware_now(registry: Registry) -> None:
    with pytest.raises(InvalidValueError, match="timezone"):
        registry.get_id_tag("X", datetime(2025, 1, 1))


def test_edits_visible_across_registries_on_one_file(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).registry_file
    with Registry(path) as server, Registry(path) as cli:
        assert server.get_charge_point("CP-001") is None
        cli.add_charge_point(FULL_CP)
        assert server.get_charge_point("CP-001") == FULL_CP
        cli.remove_charge_point("CP-001")
        assert server.get_charge_point("CP-001") is None


def test_data_survives_reopen(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        reg.add_charge_point(FULL_CP)
        reg.add_id_tag(IdTag("T1", partner="P"))
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        assert reg.list_charge_points() == [FULL_CP]
        assert reg.get_id_tag("T1", NOW) == IdTag("T1", partner="P")


def test_corrupt_file_names_file_and_fix(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).registry_file
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RegistryFileError) as caught:
        Registry(path)
    message = str(caught.value)
    assert str(path) in message
    assert "backup" in message
    assert caught.value.path == path


def test_newer_schema_refused(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).registry_file
    Registry(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RegistryFileError, match="newer"):
        Registry(path)


def test_unopenable_path_is_a_registry_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RegistryFileError, match="folder"):
        Registry(blocker / "registry.sqlite")


def test_closed_registry_raises_registry_error(tmp_path: Path) -> None:
    reg = Registry(DataFolder(tmp_path).registry_file)
    reg.close()
    with pytest.raises(RegistryError, match="closed"):
        reg.get_charge_point("CP-001")


def _status(registry: Registry, tag: str) -> str:
    found = registry.get_id_tag(tag, NOW)
    assert found is not None
    return found.status


def test_site_timezone_set_replaced_and_checked(registry: Registry) -> None:
    assert registry.site_timezones() == {}
    registry.set_site_timezone("SITE-A", "America/New_York")
    registry.set_site_timezone("SITE-B", "America/Los_Angeles")
    registry.set_site_timezone("SITE-A", "Europe/Berlin")
    assert registry.site_timezones() == {"SITE-A": "Europe/Berlin", "SITE-B": "America/Los_Angeles"}
    with pytest.raises(InvalidValueError, match="timezone"):
        registry.set_site_timezone("SITE-A", "Mars/Olympus")


def test_version_1_file_migrates_keeping_its_chargers(tmp_path: Path) -> None:
    from csms_lite.registry.schema import MIGRATIONS

    path = DataFolder(tmp_path).registry_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:  # a file as version 1 wrote it
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute("INSERT INTO charge_points (id, site, connectors, boot_status, "
                     "heartbeat_interval) VALUES ('CP-1', 'S1', 2, 'Accepted', 300)")
    with Registry(path) as reg:
        cp = reg.get_charge_point("CP-1")
        assert cp is not None
        assert cp.site == "S1"
        assert reg.site_timezones() == {}
        reg.set_site_timezone("S1", "America/New_York")
        assert reg.site_timezones() == {"S1": "America/New_York"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_local_list_versions_only_grow_per_charger(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        assert reg.local_list_version("A") == 0
        assert [reg.next_local_list_version("A") for _ in range(2)] == [1, 2]
        assert reg.next_local_list_version("A", at_least=10) == 10
        assert reg.next_local_list_version("A", at_least=3) == 11
        assert (reg.local_list_version("A"), reg.local_list_version("B")) == (11, 0)
