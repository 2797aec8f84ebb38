"""A few lines that tell what the lake holds, straight from its Parquet files with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.data_folder import DataFolder
from ingest.lake.location import LakeRef
from ingest.lake.reader import attach, duckdb_scan_sql
from ingest.lake.schemas import TABLES


def summarize(lake: LakeRef) -> list[str]:
    con = duckdb.connect()
    attach(con, lake)
    lines = []
    for table in TABLES:
        scan = duckdb_scan_sql(lake, table)
        n = con.execute(f"select count(*) from {scan}").fetchone()
        lines.append(f"{table}: {n[0] if n else 0:,} rows")
    mv = duckdb_scan_sql(lake, "meter_values")
    row = con.execute(f"""
        select count(distinct transaction_id),
               coalesce(sum(kwh), 0)
        from (select transaction_id, (max(value) - min(value)) / 1000 as kwh
              from {mv}
              where measurand = 'Energy.Active.Import.Register' and unit = 'Wh'
                and transaction_id is not null
              group by all)
    """).fetchone()
    if row:
        lines.append(f"sessions seen in meter values: {row[0]}, energy {row[1]:.1f} kWh")
    cmd = duckdb_scan_sql(lake, "commands")
    for action, outcome, n in con.execute(
        f"select action, outcome, count(*) from {cmd} group by all order by all"
    ).fetchall():
        lines.append(f"command {action}: {outcome} x{n}")
    return lines


def truth_summary(data_dir: Path) -> list[str]:
    """What the simulator did, from its ground-truth table (not from the lake)."""
    path = DataFolder(data_dir).sim_truth_file
    if not path.exists():
        return []
    con = duckdb.connect()
    rows = con.execute(f"""
        select kind, if(kind = 'fault', fault_type, ''), if(kind = 'fault', ended_by, ''),
               count(*),
               coalesce(sum(epoch("end") - epoch(start)) / 3600, 0)
        from '{path}' group by all order by all""").fetchall()
    lines = []
    for kind, fault_type, ended_by, n, hours in rows:
        if kind == "fault":
            lines.append(f"truth: {fault_type} fault x{n}, {hours:,.1f} h, ended by {ended_by}")
        else:
            lines.append(f"truth: {kind.replace('_', ' ')} x{n}")
    return lines
