"""Pricing insights: revenue, energy cost (utility time-of-use) and margin; idle fees; partners."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.common import columns
from dashboard.warehouse import Runner

_MONEY = """count(*) AS sessions, sum(energy_kwh) AS kwh, sum(total_revenue) AS revenue,
            sum(energy_cost) AS energy_cost, sum(roaming_fee) AS roaming_fee,
            sum(margin) AS margin, sum(parking_revenue) AS idle_fees"""


def revenue_sources(run: Runner, f: Filters) -> dict[str, int]:
    """Sessions in the filters per ``revenue_source`` (a warehouse built before the column
    existed priced every session from the tariff)."""
    cond, params = f.where()
    source = ("revenue_source" if "revenue_source" in columns(run, "session_charges")
              else "'tariff_estimate'")
    rows = run(f"SELECT {source} AS source, count(*) AS n FROM session_charges WHERE {cond} "
               "GROUP BY 1", params)
    return {str(r.source): int(r.n) for r in rows.itertuples()}


def by_site(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where()
    return run(
        f"SELECT site_id, {_MONEY} FROM session_charges WHERE {cond} "
        "GROUP BY 1 ORDER BY revenue DESC",
        params,
    )


def by_hour(run: Runner, f: Filters) -> pd.DataFrame:
    """By the site-local hour the session started."""
    cond, params = f.where(site_col="c.site_id", cp_col="c.charge_point_id")
    return run(
        f"""
        SELECT hour(timezone(coalesce(s.timezone, 'UTC'), c.start_at)) AS local_hour,
               count(*) AS sessions, sum(c.total_revenue) AS revenue,
               sum(c.energy_cost) AS energy_cost, sum(c.margin) AS margin
        FROM session_charges c LEFT JOIN dim_sites s USING (site_id)
        WHERE {cond} GROUP BY 1 ORDER BY 1""",
        params,
    )


def idle_fees(run: Runner, f: Filters) -> pd.DataFrame:
    """One row: idle (parking) fees, their share of revenue, sessions that paid one."""
    cond, params = f.where()
    return run(
        f"""
        SELECT sum(parking_revenue) AS idle_fees,
               sum(parking_revenue) / nullif(sum(total_revenue), 0) AS share,
               count(*) FILTER (WHERE parking_revenue > 0) AS sessions_with_fee,
               count(*) AS sessions, avg(idle_min) AS avg_idle_min,
               sum(billable_idle_min) AS billable_idle_min
        FROM session_charges WHERE {cond}""",
        params,
    )


def by_partner(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where(site_col="c.site_id", cp_col="c.charge_point_id")
    return run(
        f"""
        SELECT coalesce(c.partner, 'unknown') AS partner,
               coalesce(p.name, c.partner, 'Unknown partner') AS name,
               count(*) AS sessions, sum(c.energy_kwh) AS kwh, sum(c.total_revenue) AS revenue,
               sum(c.roaming_fee) AS roaming_fee, sum(c.margin) AS margin
        FROM session_charges c LEFT JOIN partners p ON p.partner IS NOT DISTINCT FROM c.partner
        WHERE {cond} GROUP BY ALL ORDER BY revenue DESC""",
        params,
    )


def partner_months(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where()
    return run(
        f"""
        SELECT coalesce(partner, 'unknown') AS partner, date_trunc('month', local_date) AS month,
               count(*) AS sessions, sum(energy_kwh) AS kwh
        FROM session_charges WHERE {cond} GROUP BY ALL ORDER BY month, partner""",
        params,
    )


def whatif_base(run: Runner, f: Filters) -> pd.DataFrame:
    """Per site, the totals the what-if model scales (billed sessions only)."""
    cond, params = f.where()
    return run(
        f"""
        SELECT site_id, count(*) AS sessions, sum(energy_kwh) AS kwh,
               sum(energy_revenue) AS energy_revenue, sum(time_revenue) AS time_revenue,
               sum(parking_revenue) AS idle_fees, sum(flat_revenue) AS flat_revenue,
               sum(energy_cost) AS energy_cost, sum(roaming_fee) AS roaming_fee,
               sum(charging_min) AS charging_min, sum(idle_min) AS idle_min
        FROM session_charges WHERE billed AND {cond} GROUP BY 1 ORDER BY 1""",
        params,
    )
