"""The KPIs of one self-healing A/B arm: from its warehouse's marts, its lake's ``commands``
table (read through ``ingest.lake``, so a lake on S3 works too), and the simulator's truth (what
only the simulator knows: which faults were on, which a reset averted, which precursor windows
were running). The SQL is in ``sql/``, one file per view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingest.lake.listing import list_parts
from ingest.lake.reader import attach, duckdb_scan_sql
from pipelines.warehouse.layout import Layout

SQL = Path(__file__).parent / "sql"
MARTS = ("outages", "port_uptime_rolling", "charge_success_daily", "sessions")


def _sql(name: str, sources: dict[str, str]) -> str:
    return (SQL / f"{name}.sql").read_text(encoding="utf-8").format(**sources)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def measure(data: Path) -> dict[str, Any]:
    layout = Layout(data)
    sources = {name: _quoted(layout.mart_file(name)) for name in MARTS}
    sources["truth"] = _quoted(layout.sim_truth_file)
    sources["commands"] = duckdb_scan_sql(layout.lake, "commands")
    con = duckdb.connect()
    try:
        attach(con, layout.lake)
        has_commands = any(True for _ in list_parts(layout.lake, "commands"))
        for view in ("resets" if has_commands else "no_resets", "judged", "outage_by_cause"):
            name = "resets" if view == "no_resets" else view
            con.execute(f"CREATE TEMP VIEW {name} AS {_sql(view, sources)}")
        lost_h = {
            cause: float(minutes) / 60
            for cause, minutes in con.execute("SELECT * FROM outage_by_cause").fetchall()
        }
        uptime, period_h = con.execute(_sql("uptime", sources)).fetchall()[0]
        counted: dict[str, Any] = {}
        for view in ("counts", "field_service"):
            cur = con.execute(_sql(view, sources))
            names = [column[0] for column in cur.description]
            counted |= dict(zip(names, cur.fetchall()[0], strict=True))
    finally:
        con.close()
    return {
        "network uptime (NEVI, %)": uptime,
        "uptime if curable faults cost nothing (truth, %)": (
            uptime + 100.0 * lost_h.get("curable", 0.0) / period_h if period_h else None
        ),
        "outage port-hours in curable long faults (truth)": lost_h.get("curable", 0.0),
        "outage port-hours in technician faults (truth)": lost_h.get("technician", 0.0),
        "outage port-hours in trips (truth)": lost_h.get("trip", 0.0),
        **counted,
    }
