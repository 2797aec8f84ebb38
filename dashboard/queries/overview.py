"""Network overview: NEVI uptime, chargers' state now, today against last week, site health."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from dashboard.filters import Filters
from dashboard.warehouse import Runner
from pipelines.nevi import NEVI_TARGET_LABEL, meets_nevi

BELOW = f"below {NEVI_TARGET_LABEL}"  # a site's health when its uptime does not meet NEVI


def _month_where(f: Filters) -> tuple[str, list[object]]:
    # Uptime marts are monthly: a month counts when it overlaps the date range.
    cond, params = f.where(date_col=None)
    return (
        f"month BETWEEN date_trunc('month', ?::DATE) AND ? AND {cond}",
        [f.start, f.end, *params],
    )


def uptime(run: Runner, f: Filters) -> pd.DataFrame:
    """One row: NEVI uptime over the months in range, ports, ports below 97 % (not meeting
    NEVI's > 97 %, so a port at exactly 97 % is below).

    µ = (T − (T_outage − T_excluded)) / T × 100, summed over the filtered ports and months."""
    cond, params = _month_where(f)
    return run(
        f"""
        WITH per_port AS (
            SELECT port_id, sum(period_min) AS t, sum(outage_min) AS o, sum(excluded_min) AS e
            FROM port_uptime_monthly WHERE {cond} GROUP BY port_id)
        SELECT (sum(t) - (sum(o) - sum(e))) / nullif(sum(t), 0) * 100 AS uptime_pct,
               count(*) AS ports,
               count(*) FILTER (WHERE NOT meets_nevi((t - (o - e)) / nullif(t, 0) * 100))
                   AS ports_below
        FROM per_port""",
        params,
    )


def uptime_by_month(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = _month_where(f)
    return run(
        f"""
        SELECT month, (sum(period_min) - (sum(outage_min) - sum(excluded_min)))
                      / nullif(sum(period_min), 0) * 100 AS uptime_pct
        FROM port_uptime_monthly WHERE {cond} GROUP BY month ORDER BY month""",
        params,
    )


def chargers_now(run: Runner, f: Filters) -> pd.DataFrame:
    """Each charger's state at the end of the data: offline (its latest connectivity interval),
    else faulted (a port whose latest status is Faulted/Unavailable), else online."""
    cond, params = f.where(date_col=None, site_col="c.site_id", cp_col="c.charge_point_id")
    return run(
        f"""
        WITH conn AS (
            SELECT charge_point_id, arg_max(state, from_at) AS state, max(from_at) AS since
            FROM charger_connectivity_intervals GROUP BY 1),
        ports AS (
            SELECT charge_point_id,
                   count(*) FILTER (WHERE status_class IN ('faulted', 'unavailable')) AS down,
                   string_agg(DISTINCT error_code, ', ') FILTER (
                       WHERE status_class IN ('faulted', 'unavailable')
                       AND error_code NOT IN ('NoError', '')) AS error_codes
            FROM (SELECT port_id, charge_point_id, arg_max(status_class, from_at) AS status_class,
                         arg_max(error_code, from_at) AS error_code
                  FROM connector_status_intervals GROUP BY 1, 2)
            GROUP BY 1)
        SELECT c.charge_point_id, c.site_id, c.model,
               CASE WHEN conn.state IS NULL THEN 'unknown'
                    WHEN conn.state = 'offline' THEN 'offline'
                    WHEN coalesce(ports.down, 0) > 0 THEN 'faulted'
                    ELSE 'online' END AS state,
               conn.since, ports.error_codes
        FROM dim_chargers c
        LEFT JOIN conn USING (charge_point_id) LEFT JOIN ports USING (charge_point_id)
        WHERE {cond} ORDER BY state, c.charge_point_id""",
        params,
    )


def today_vs_last_week(run: Runner, f: Filters, now: datetime) -> pd.DataFrame:
    """Two rows (today, last_week): sessions, kWh, revenue of finished sessions on the last day
    in range so far, and on the same weekday a week before up to the same time of day."""
    cond, params = f.where(date_col=None)
    return run(
        f"""
        WITH d AS (SELECT max(local_date) AS today FROM session_charges
                   WHERE local_date <= ? AND {cond})
        SELECT CASE WHEN local_date = d.today THEN 'today' ELSE 'last_week' END AS day,
               count(*) AS sessions, sum(energy_kwh) AS kwh, sum(total_revenue) AS revenue,
               any_value(d.today) AS today
        FROM session_charges, d
        WHERE {cond} AND (local_date = d.today
                         OR (local_date = d.today - 7 AND start_at <= ?::TIMESTAMPTZ))
        GROUP BY 1""",
        [f.end, *params, *params, now - timedelta(days=7)],
    )


def site_health(run: Runner, f: Filters, states: pd.DataFrame) -> pd.DataFrame:
    """Sites with location, uptime over the range and chargers down now, and a health label
    (``BELOW`` when the site's uptime does not meet NEVI)."""
    cond, params = _month_where(f)
    sites = run(
        f"""
        WITH u AS (
            SELECT site_id, (sum(period_min) - (sum(outage_min) - sum(excluded_min)))
                            / nullif(sum(period_min), 0) * 100 AS uptime_pct
            FROM port_uptime_monthly WHERE {cond} GROUP BY 1)
        SELECT s.site_id, s.name, s.latitude, s.longitude, s.ports, u.uptime_pct
        FROM dim_sites s JOIN u USING (site_id) ORDER BY s.site_id""",
        params,
    )
    down = (
        states[states["state"].isin(["offline", "faulted"])]
        .groupby("site_id")
        .size()
        .rename("chargers_down")
    )
    sites = sites.merge(down, how="left", left_on="site_id", right_index=True)
    sites["chargers_down"] = sites["chargers_down"].fillna(0).astype(int)
    sites["health"] = [
        BELOW if (not pd.isna(u) and not meets_nevi(u))
        else ("chargers down now" if d else "healthy")
        for u, d in zip(sites["uptime_pct"], sites["chargers_down"], strict=True)
    ]
    return sites


def open_alerts(run: Runner, f: Filters) -> pd.DataFrame:
    """Outages still open at the end of the data, one row per charger and cause."""
    cond, params = f.where(date_col=None)
    return run(
        f"""
        SELECT charge_point_id, site_id, cause, string_agg(DISTINCT error_code, ', ') AS error_code,
               count(*) AS ports_down, min(start_at) AS since, max(duration_min) AS minutes
        FROM outages WHERE ongoing AND {cond}
        GROUP BY 1, 2, 3 ORDER BY since""",
        params,
    )
