"""The registry's site electrical model (schema version 6): limits, a circuit tree, charger
assignments, and the upgrade of a version-4 file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from csms_lite.registry import InvalidValueError, Registry
from csms_lite.registry.schema import MIGRATIONS, SCHEMA_VERSION
from csms_lite.registry.site_model import CircuitRecord


def test_a_site_model_round_trips(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        store = reg.site_models
        store.set_grid_limit("S", 150.0)
        store.add_circuit("S", "f1", 80.0)
        store.add_circuit("S", "f1a", 40.0, parent="f1")
        store.add_circuit("S", "f1", 90.0)  # a new limit, same parent
        store.assign_charger("CP1", "S", "f1a")
        store.assign_charger("CP2", "S")
        store.set_grid_limit("S", 120.0)
        model = store.site_model("S")
    assert model.grid_limit_kw == pytest.approx(120.0)
    assert model.circuits == (CircuitRecord("f1", None, 90.0), CircuitRecord("f1a", "f1", 40.0))
    assert model.chargers == {"CP1": "f1a", "CP2": None}


def test_unknown_parents_circuits_and_bad_limits_are_refused(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        store = reg.site_models
        with pytest.raises(InvalidValueError, match="no circuit 'nope'"):
            store.add_circuit("S", "f1", 10.0, parent="nope")
        with pytest.raises(InvalidValueError, match="no circuit 'f9'"):
            store.assign_charger("CP1", "S", "f9")
        with pytest.raises(InvalidValueError, match="kW >= 0"):
            store.set_grid_limit("S", -1.0)
        with pytest.raises(InvalidValueError, match="kW >= 0"):
            store.add_circuit("S", "f1", float("nan"))
        assert store.site_model("S").circuits == ()


def test_a_version_4_file_gains_the_site_model_tables(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with sqlite3.connect(path) as conn:
        for step in MIGRATIONS[:4]:
            for statement in step:
                conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (4)")
        conn.execute("INSERT INTO sites VALUES ('S', 'America/Los_Angeles')")
    with Registry(path) as reg:
        assert reg.site_timezones() == {"S": "America/Los_Angeles"}
        reg.site_models.set_grid_limit("S", 150.0)
        assert reg.site_models.sites() == ["S"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
