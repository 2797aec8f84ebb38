"""Site planning: when and where ports are busy, saturation, growth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.filters import Filters
from dashboard.warehouse import Runner


def hour_of_week(run: Runner, f: Filters) -> pd.DataFrame:
    """Share of port-minutes in a session per local weekday (1 = Monday) and hour, over the
    range: occupied minutes / (filtered ports x occurrences of that weekly hour x 60)."""
    cond, params = f.where()
    pcond, pparams = f.where(date_col=None)
    return run(
        f"""
        WITH occ AS (
            SELECT local_dow, local_hour, sum(session_min) AS occupied_min
            FROM usage_port_hourly WHERE {cond} GROUP BY 1, 2),
        n_ports AS (SELECT count(*) AS n FROM usage_ports
                    WHERE period_start IS NOT NULL AND {pcond}),
        days AS (SELECT isodow(d) AS local_dow, count(*) AS n
                 FROM range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY) t(d) GROUP BY 1),
        grid AS (SELECT local_dow, h AS local_hour, days.n AS n FROM days, range(24) r(h))
        SELECT g.local_dow, g.local_hour,
               coalesce(occ.occupied_min, 0) / nullif(n_ports.n * g.n * 60, 0) AS share
        FROM grid g CROSS JOIN n_ports
        LEFT JOIN occ ON occ.local_dow = g.local_dow AND occ.local_hour = g.local_hour
        ORDER BY 1, 2""",
        [*params, *pparams, f.start, f.end],
    )


def site_ranking(run: Runner, f: Filters, truth: Path | None) -> pd.DataFrame:
    """Per site: ports, sessions per day, time and energy utilisation over the range; saturation
    (share of observed time every port was in a session, whole period of the mart); and, when
    the simulator's truth file is given, drivers turned away (simulator truth, not observable)."""
    cond, params = f.where()
    turned = "NULL::BIGINT"
    tparams: list[object] = []
    if truth is not None:
        path = str(truth).replace("'", "''")
        turned = (
            f"(SELECT count(*) FROM read_parquet('{path}') t WHERE t.kind = 'turned_away'"
            " AND t.site_id = u.site_id AND t.start >= ?::TIMESTAMPTZ"
            " AND t.start < ?::TIMESTAMPTZ + INTERVAL 1 DAY)"
        )
        tparams = [f"{f.start} 00:00:00+00", f"{f.end} 00:00:00+00"]
    scond, sparams = f.where(date_col=None, cp_col=None)
    return run(
        f"""
        WITH u AS (
            SELECT site_id, count(DISTINCT port_id) AS ports, sum(sessions) AS sessions,
                   count(DISTINCT local_date) AS days,
                   sum(session_min) / nullif(sum(available_min), 0) AS time_util,
                   sum(kwh) / nullif(sum(rated_kw * available_min / 60), 0) AS energy_util
            FROM utilisation_port_daily WHERE {cond} GROUP BY 1),
        s AS (
            SELECT site_id, sum(saturation_min) / nullif(sum(observed_min), 0) AS saturation,
                   sum(saturation_min) / nullif(max(weeks_observed), 0) / 60 AS saturated_h_week
            FROM utilisation_hour_of_week WHERE {scond} GROUP BY 1)
        SELECT u.site_id, u.ports, u.sessions / nullif(u.days, 0) AS sessions_per_day,
               u.time_util, u.energy_util, coalesce(s.saturation, 0) AS saturation,
               coalesce(s.saturated_h_week, 0) AS saturated_h_week,
               {turned} AS turned_away
        FROM u LEFT JOIN s USING (site_id)
        ORDER BY saturation DESC, time_util DESC""",
        [*params, *sparams, *tparams],
    )


def growth(run: Runner, f: Filters) -> pd.DataFrame:
    """Sessions and kWh per site and week (Monday)."""
    cond, params = f.where()
    return run(
        f"""
        SELECT site_id, date_trunc('week', local_date) AS week, sum(sessions) AS sessions,
               sum(kwh) AS kwh
        FROM utilisation_port_daily WHERE {cond} GROUP BY ALL ORDER BY week, site_id""",
        params,
    )
