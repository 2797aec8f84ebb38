"""Reliability: per-port uptime, outages, faults, predictions and self-healing actions."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.overview import _month_where
from dashboard.warehouse import Runner
from pipelines.nevi import meets_nevi


def port_uptime(run: Runner, f: Filters) -> pd.DataFrame:
    """Per port over the months in range, worst first."""
    cond, params = _month_where(f)
    return run(
        f"""
        SELECT port_id, site_id, charge_point_id,
               (sum(period_min) - (sum(outage_min) - sum(excluded_min)))
                   / nullif(sum(period_min), 0) * 100 AS uptime_pct,
               sum(outage_min) AS outage_min, sum(excluded_min) AS excluded_min
        FROM port_uptime_monthly WHERE {cond}
        GROUP BY ALL ORDER BY uptime_pct, port_id""",
        params,
    )


def site_trend(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = _month_where(f)
    return run(
        f"""
        SELECT site_id, month, (sum(period_min) - (sum(outage_min) - sum(excluded_min)))
                               / nullif(sum(period_min), 0) * 100 AS uptime_pct
        FROM port_uptime_monthly WHERE {cond} GROUP BY ALL ORDER BY month, site_id""",
        params,
    )


def outage_timeline(run: Runner, f: Filters, ports: int = 30) -> pd.DataFrame:
    """Outages overlapping the range on the ``ports`` ports with the most outage minutes (a
    timeline of every port of a large network would be unreadable and slow)."""
    cond, params = f.where(date_col=None)
    lo, hi = f"{f.start} 00:00:00+00", f"{f.end} 23:59:59.999+00"
    return run(
        f"""
        WITH o AS (SELECT * FROM outages
                   WHERE {cond} AND start_at <= ?::TIMESTAMPTZ
                     AND coalesce(end_at, start_at) >= ?::TIMESTAMPTZ),
        worst AS (SELECT port_id FROM o GROUP BY 1 ORDER BY sum(duration_min) DESC, 1 LIMIT ?)
        SELECT port_id, site_id, start_at, coalesce(end_at, start_at) AS end_at, cause,
               coalesce(error_code, '') AS error_code, duration_min, excluded
        FROM o WHERE port_id IN (SELECT port_id FROM worst) ORDER BY port_id, start_at""",
        [*params, hi, lo, ports],
    )


def faults_by_code(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where(
        date_col=None, site_col="f.site_id", cp_col="f.charge_point_id", ts_col="f.start_at"
    )
    return run(
        f"""
        SELECT coalesce(f.error_code, 'unknown') AS error_code,
               coalesce(c.model, 'unknown') AS model,
               count(*) AS faults, sum(f.duration_min) AS minutes
        FROM faults f LEFT JOIN dim_chargers c USING (charge_point_id)
        WHERE {cond} GROUP BY ALL ORDER BY faults DESC""",
        params,
    )


def predictions(run: Runner, f: Filters, limit: int = 20) -> pd.DataFrame:
    """Each charger's latest fault probability (issue 5's marts/predictions), highest first."""
    cond, params = f.where(date_col=None, site_col=None, cp_col="p.charge_point_id")
    if f.sites:
        cond += " AND c.site_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(f.sites))
    return run(
        f"""
        SELECT p.charge_point_id, c.site_id, c.model, p.scored_at, p.probability, p.top_features
        FROM (SELECT charge_point_id, max(scored_at) AS scored_at FROM predictions GROUP BY 1) l
        JOIN predictions p USING (charge_point_id, scored_at)
        LEFT JOIN dim_chargers c ON c.charge_point_id = p.charge_point_id
        WHERE {cond} ORDER BY p.probability DESC LIMIT ?""",
        [*params, limit],
    )


def self_healing(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where(
        date_col=None, site_col=None, cp_col="charge_point_id", ts_col="requested_at"
    )
    if f.sites:
        cond += (
            " AND charge_point_id IN (SELECT charge_point_id FROM dim_chargers"
            " WHERE list_contains(?, site_id))"
        )
        params.append(list(f.sites))
    return run(
        f"""
        SELECT requested_at, charge_point_id, action, reason, outcome, result
        FROM self_healing_actions WHERE {cond} ORDER BY requested_at DESC""",
        params,
    )


def quarantined(run: Runner, f: Filters) -> pd.DataFrame:
    """Sessions the pipelines found implausible (never billed or reported), newest first."""
    cond, params = f.where(date_col=None, ts_col="start_at")
    return run(
        f"""
        SELECT session_id, site_id, start_at, end_at, energy_kwh, peak_kw, partner,
               quarantine_reason
        FROM sessions WHERE quarantine_reason IS NOT NULL AND {cond}
        ORDER BY start_at DESC""",
        params,
    )


def below_target(ports: pd.DataFrame) -> int:
    """Ports not meeting NEVI (at most 97 %; a port without a measured period is not counted)."""
    return sum(1 for u in ports["uptime_pct"] if not pd.isna(u) and not meets_nevi(u))
