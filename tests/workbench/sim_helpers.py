"""Small simulations through a real CSMS on loopback, and ways to read what they left."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from ingest.data_folder import DataFolder
from ingest.lake.reader import duckdb_scan_sql
from ingest.sim.context import SimSettings
from ingest.sim.profile import SimProfile, load_default
from ingest.sim.runner import SimRun
from workbench.runs.simulate import SimulateJob, simulate

DAY = 86400.0


def settings(data_dir: Path, **kw: Any) -> SimSettings:
    base = SimSettings(data_dir=data_dir, sites=2, chargers=4, days=2.0, seed=5,
                       heartbeat_s=600, meter_interval_s=600.0)
    return replace(base, **kw)


def faulty_profile(per_day: float = 0.4) -> SimProfile:
    """The shipped profile with many long faults, so a short run has enough of them."""
    p = load_default()
    return replace(p, faults=replace(p.faults, faults_per_charger_day=per_day, short_share=0.0))


async def run(s: SimSettings, profile: SimProfile | None = None, **job: Any) -> SimRun:
    lines: list[str] = []
    return await simulate(SimulateJob(s, profile or load_default(), **job), lines.append)


def query(data_dir: Path, table: str, sql: str) -> list[tuple[Any, ...]]:
    scan = duckdb_scan_sql(DataFolder(data_dir).local_lake, table)
    with duckdb.connect() as con:
        return con.execute(sql.format(t=scan)).fetchall()


def truth(data_dir: Path, where: str = "true") -> list[dict[str, Any]]:
    path = DataFolder(data_dir).sim_truth_file
    with duckdb.connect() as con:
        cur = con.execute(f"select * from '{path}' where {where} order by start")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def statuses(data_dir: Path, cp_id: str) -> list[tuple[float, str]]:
    """(received_at epoch, status) of a charger's StatusNotifications, in order."""
    rows = query(data_dir, "ocpp_messages",
                 "select epoch_us(received_at), payload from {t} where direction = 'in' and "
                 f"action = 'StatusNotification' and charge_point_id = '{cp_id}' "
                 "order by received_at, unique_id")
    out = []
    for at_us, payload in rows:
        p = json.loads(payload)
        out.append((at_us / 1e6, p.get("status") or p.get("connectorStatus")))
    return out
