"""The data folder's layout has one owner: the paths every package reads and writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.data_folder import DEFAULT_DATA_DIR, DataFolder, data_dir_from_env
from pipelines.warehouse.layout import Layout


def test_the_layout(tmp_path: Path) -> None:
    d = DataFolder(tmp_path)
    assert {
        "registry": d.registry_file, "token": d.api_token_file, "lake": d.local_lake,
        "db": d.db_file, "staging": d.staging_partition("sessions", "2026-01-02"),
        "mart": d.mart_file("port_uptime_rolling"), "config": d.config,
        "dagster": d.dagster_home, "outbox": d.outbox, "models": d.fault_models,
        "healing": d.self_healing_state, "truth": d.sim_truth_file,
        "network": d.sim_network_file, "precursors": d.sim_precursors_file, "logs": d.logs,
    } == {k: tmp_path / v for k, v in {
        "registry": "registry.sqlite", "token": "api_token", "lake": "lake",
        "db": "warehouse/warehouse.duckdb",
        "staging": "warehouse/staging/sessions/date=2026-01-02",
        "mart": "warehouse/marts/port_uptime_rolling.parquet", "config": "config",
        "dagster": "dagster_home", "outbox": "reports/outbox", "models": "models/fault",
        "healing": "self_healing/state.json", "truth": "sim/sim_truth.parquet",
        "network": "sim/network.json", "precursors": "sim/precursors.json", "logs": "logs",
    }.items()}


def test_the_lake_follows_cpo_lake_url_on_each_use(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    d = DataFolder(tmp_path)
    monkeypatch.delenv("CPO_LAKE_URL", raising=False)
    assert d.lake.local_path == tmp_path / "lake"
    monkeypatch.setenv("CPO_LAKE_URL", str(tmp_path / "elsewhere"))
    assert d.lake.local_path == tmp_path / "elsewhere"
    assert d.local_lake == tmp_path / "lake"  # the journal stays on the node's disk


def test_the_default_data_dir() -> None:
    assert data_dir_from_env({}) == DEFAULT_DATA_DIR == Path("data")
    assert data_dir_from_env({"CPO_DATA_DIR": "/srv/cpo"}) == Path("/srv/cpo")


def test_the_pipelines_layout_is_the_data_folder() -> None:
    assert Layout is DataFolder
