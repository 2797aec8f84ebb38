"""The headline KPIs, read back from the warehouse's published marts (Parquet) with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.nevi import NEVI_TARGET_LABEL
from pipelines.warehouse.layout import Layout


def kpi_lines(data_dir: Path) -> list[str]:
    marts = Layout(data_dir).marts
    if not (marts / "sessions.parquet").exists():
        return [f"no warehouse marts in {marts}: run `cpo pipelines run --data-dir {data_dir}`"]
    con = duckdb.connect()

    def mart(name: str) -> str:
        return "'" + str(marts / f"{name}.parquet").replace("'", "''") + "'"

    lines: list[str] = []
    n, kwh, idle, flagged = con.execute(
        f"SELECT count(*), coalesce(sum(energy_kwh), 0), coalesce(median(idle_min), 0), "
        f"count(*) FILTER (missing_stop OR clock_skewed) FROM {mart('sessions')}"
    ).fetchall()[0]
    lines.append(
        f"sessions {n:,}, {kwh:,.0f} kWh, median idle after charging {idle:,.0f} min, "
        f"{flagged:,} flagged (missing stop or charger clock off)"
    )
    ports, below, low, mean = con.execute(
        f"SELECT count(*), count(*) FILTER (NOT meets_nevi), min(uptime_pct), "
        "sum(uptime_pct * period_min) / nullif(sum(period_min), 0) "
        f"FROM {mart('port_uptime_rolling')}"
    ).fetchall()[0]
    if ports:
        lines.append(
            f"NEVI port uptime (to date): network {mean:.2f} %, worst port {low:.2f} %, "
            f"{below} of {ports} ports below {NEVI_TARGET_LABEL}"
        )
    outages, hours = con.execute(
        f"SELECT count(*), coalesce(sum(duration_min), 0) / 60 FROM {mart('outages')}"
    ).fetchall()[0]
    lines.append(f"outages {outages:,}, {hours:,.1f} port-hours down")
    attempts, ok = con.execute(
        f"SELECT sum(attempts), sum(successes) FROM {mart('charge_success_daily')}"
    ).fetchall()[0]
    if attempts:
        lines.append(f"charge success {ok / attempts:.1%} of {attempts:,} attempts")
    revenue, cost, fees, margin = con.execute(
        f"SELECT coalesce(sum(total_revenue), 0), coalesce(sum(energy_cost), 0), "
        f"coalesce(sum(roaming_fee), 0), coalesce(sum(margin), 0) FROM {mart('revenue_daily')}"
    ).fetchall()[0]
    lines.append(
        f"revenue ${revenue:,.0f}, energy cost ${cost:,.0f}, roaming fees ${fees:,.0f}, "
        f"margin ${margin:,.0f}"
    )
    return lines
