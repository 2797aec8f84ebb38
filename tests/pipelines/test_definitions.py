"""The code location loads as Dagster's own tools load it, and its shape is what DESIGN says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.warehouse import reference_data
from pipelines.warehouse.layout import Layout
from tests.pipelines.warehouse_kit import DEFS, build, utc, warehouse_conn

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_dg_check_defs_passes(tmp_path: Path) -> None:
    env = {**os.environ, "CPO_DATA_DIR": str(tmp_path)}
    dg = Path(sys.executable).with_name("dg")
    done = subprocess.run(
        [str(dg), "check", "defs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr


def test_graph_jobs_schedules_and_sensors() -> None:
    from pipelines.definitions import defs

    d = defs()
    keys = {k.to_user_string() for k in d.resolve_asset_graph().get_all_asset_keys()}
    for table in (
        "staging",
        "sessions",
        "port_uptime_monthly",
        "outages",
        "tickets",
        "ticket_outcomes",
        "session_charges",
        "cdrs",
        "failure_features",
        "failure_labels",
        "utilisation_port_daily",
        "charge_success_daily",
        "raw_ocpp_messages",
    ):
        assert table in keys
    graph = d.resolve_asset_graph()
    outages = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "outages")
    assert "tickets" in {p.to_user_string() for p in graph.get(outages).parent_keys}
    assert {j.name for j in d.resolve_all_job_defs()} >= {
        "stage_days", "build_marts", "train_fault_model", "score_faults"
    }
    assert {s.name for s in d.schedules or []} >= {"hourly_refresh", "nightly_full"}
    assert {s.name for s in d.sensors or []} >= {
        "lake_files", "marts_after_staging", "self_heal_every_5_minutes"
    }


@pytest.mark.parametrize("name", ["dim_chargers", "dim_ports", "dim_sites", "dim_id_tags"])
def test_dimension_sql_matches_its_contract(tmp_path: Path, name: str) -> None:
    """The DDL in dimensions.sql (what tests and readers rely on) is what the SQL builds."""
    conn = warehouse_conn(tmp_path, utc("2026-01-02 00:00"))
    contract = [d[0] for d in conn.execute(f"SELECT * FROM {name} LIMIT 0").description]
    reference_data.register(conn, Layout(tmp_path))
    build(conn, name, DEFS / "dimensions")
    built = [d[0] for d in conn.execute(f"SELECT * FROM {name} LIMIT 0").description]
    assert built == contract


def test_lake_sensor_asks_for_changed_days_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.defs.automation import lake_files
    from pipelines.resources import WarehouseResource
    from tests.pipelines.lake_fixture import FixtureLake, at

    monkeypatch.delenv("CPO_DATA_DIR", raising=False)  # the folder comes from the resource
    warehouse = {"warehouse": WarehouseResource(data_dir=str(tmp_path))}

    def tick(cursor: str | None) -> dg.SensorResult:
        with dg.build_sensor_context(cursor=cursor, resources=warehouse) as context:
            result = lake_files(context)
        assert isinstance(result, dg.SensorResult)
        return result

    lake = FixtureLake(tmp_path)
    lake.heartbeat(at("2026-01-01 10:00"), "A")
    lake.heartbeat(at("2026-01-02 10:00"), "A")
    lake.write()
    first = tick(None)
    assert sorted(r.partition_key for r in first.run_requests or []) == ["2026-01-01", "2026-01-02"]
    again = tick(first.cursor)
    assert not again.run_requests
    late = FixtureLake(tmp_path)
    late.heartbeat(at("2026-01-02 23:00"), "A")
    late.write()  # a new part file in an existing day
    after = tick(first.cursor)
    assert [r.partition_key for r in after.run_requests or []] == ["2026-01-02"]
