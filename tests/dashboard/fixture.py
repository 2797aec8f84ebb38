# ruff: noqa: E501  (one data row per line reads better than wrapped rows)
"""A tiny hand-made warehouse (marts as Parquet) whose numbers the tests work out by hand.

Network: site A (charger A-1, model M1, ports A-1/1 and A-1/2), site B (B-1 model M2 port
B-1/1; B-2 model M1 port B-2/1). Data from Mon 2026-01-05 to Mon 2026-01-12 12:00 UTC ("now").
All sites in UTC so local days are UTC days."""

from __future__ import annotations

from pathlib import Path

import duckdb

NOW = "2026-01-12 12:00:00+00"

MARTS: dict[str, str] = {
    "dim_sites": """
        SELECT * FROM (VALUES ('A', 'Alpha', 34.4, -119.7, 'UTC', 2),
                              ('B', 'Bravo', 34.6, -120.1, 'UTC', 2))
        t(site_id, name, latitude, longitude, timezone, ports)""",
    "dim_chargers": """
        SELECT * FROM (VALUES ('A-1', 'A', 'M1'), ('B-1', 'B', 'M2'), ('B-2', 'B', 'M1'))
        t(charge_point_id, site_id, model)""",
    "sessions": """
        SELECT 's1' AS session_id, DATE '2026-01-05' AS start_date,
               TIMESTAMPTZ '2026-01-05 09:00:00+00' AS start_at,
               TIMESTAMPTZ '2026-01-05 10:00:00+00' AS end_at""",
    # uptime: A-1/1 600 min down of 10,000 (94 %), A-1/2 100 (99 %), the others 0.
    "port_uptime_monthly": """
        SELECT port_id, charge_point_id, site_id, DATE '2026-01-01' AS month,
               10000.0 AS period_min, outage_min, 0.0 AS excluded_min
        FROM (VALUES ('A-1/1', 'A-1', 'A', 600.0), ('A-1/2', 'A-1', 'A', 100.0),
                     ('B-1/1', 'B-1', 'B', 0.0), ('B-2/1', 'B-2', 'B', 0.0))
        t(port_id, charge_point_id, site_id, outage_min)""",
    "port_state_intervals": f"""
        SELECT 'A-1/1' AS port_id, TIMESTAMPTZ '2026-01-05 00:00:00+00' AS from_at,
               TIMESTAMPTZ '{NOW}' AS to_at, 'up' AS state""",
    # B-1 offline since 10:00; A-1 and B-2 online.
    "charger_connectivity_intervals": f"""
        SELECT charge_point_id, from_at::TIMESTAMPTZ AS from_at, TIMESTAMPTZ '{NOW}' AS to_at,
               state, TRUE AS ongoing
        FROM (VALUES ('A-1', '2026-01-05 00:00:00+00', 'online'),
                     ('B-1', '2026-01-05 00:00:00+00', 'online'),
                     ('B-1', '2026-01-12 10:00:00+00', 'offline'),
                     ('B-2', '2026-01-05 00:00:00+00', 'online'))
        t(charge_point_id, from_at, state)""",
    # A-1/1 faulted since 09:00 (so A-1 is faulted); an older Faulted on B-2/1 has ended.
    "connector_status_intervals": """
        SELECT port_id, charge_point_id, from_at::TIMESTAMPTZ AS from_at, status, status_class,
               error_code
        FROM (VALUES ('A-1/1', 'A-1', '2026-01-05 00:00:00+00', 'Available', 'available', 'NoError'),
                     ('A-1/1', 'A-1', '2026-01-12 09:00:00+00', 'Faulted', 'faulted', 'GroundFailure'),
                     ('A-1/2', 'A-1', '2026-01-05 00:00:00+00', 'Available', 'available', 'NoError'),
                     ('B-1/1', 'B-1', '2026-01-05 00:00:00+00', 'Available', 'available', 'NoError'),
                     ('B-2/1', 'B-2', '2026-01-07 00:00:00+00', 'Faulted', 'faulted', 'OverCurrent'),
                     ('B-2/1', 'B-2', '2026-01-07 02:00:00+00', 'Available', 'available', 'NoError'))
        t(port_id, charge_point_id, from_at, status, status_class, error_code)""",
    "outages": """
        SELECT port_id, charge_point_id, site_id, start_at::TIMESTAMPTZ AS start_at,
               end_at::TIMESTAMPTZ AS end_at, ongoing, duration_min, cause, error_code,
               FALSE AS excluded
        FROM (VALUES
            ('A-1/1', 'A-1', 'A', '2026-01-12 09:00:00+00', NULL, TRUE, 180.0, 'faulted', 'GroundFailure'),
            ('B-1/1', 'B-1', 'B', '2026-01-12 10:00:00+00', NULL, TRUE, 120.0, 'offline', NULL),
            ('A-1/2', 'A-1', 'A', '2026-01-07 01:00:00+00', '2026-01-07 02:40:00+00', FALSE,
             100.0, 'offline', NULL))
        t(port_id, charge_point_id, site_id, start_at, end_at, ongoing, duration_min, cause,
          error_code)""",
    "faults": """
        SELECT charge_point_id, port_id, site_id, start_at::TIMESTAMPTZ AS start_at,
               duration_min, error_code
        FROM (VALUES ('A-1', 'A-1/1', 'A', '2026-01-12 09:00:00+00', 180.0, 'GroundFailure'),
                     ('A-1', 'A-1/1', 'A', '2026-01-06 10:00:00+00', 60.0, 'OverCurrent'),
                     ('B-2', 'B-2/1', 'B', '2026-01-07 00:00:00+00', 120.0, 'OverCurrent'))
        t(charge_point_id, port_id, site_id, start_at, duration_min, error_code)""",
    # Money: today (01-12) s1 + s2; last week s3 counts (09:00 < 12:00), s4 (15:00) does not.
    "session_charges": """
        SELECT session_id, charge_point_id, site_id, port_id, partner,
               start_at::TIMESTAMPTZ AS start_at, local_date::DATE AS local_date, energy_kwh,
               total_revenue - parking_revenue AS energy_revenue, 0.0 AS time_revenue,
               parking_revenue, 0.0 AS flat_revenue, total_revenue, energy_cost, roaming_fee,
               margin, TRUE AS billed, 30.0 AS charging_min, idle_min,
               idle_min AS billable_idle_min,
               CASE WHEN session_id = 's2' THEN 'file' ELSE 'tariff_estimate' END
                   AS revenue_source  -- s2 was replayed from a file with its price
        FROM (VALUES
            ('s1', 'A-1', 'A', 'A-1/1', 'P1', '2026-01-12 08:00:00+00', '2026-01-12', 20.0, 10.0, 2.0, 3.0, 1.0, 6.0, 20.0),
            ('s2', 'B-2', 'B', 'B-2/1', 'P2', '2026-01-12 10:00:00+00', '2026-01-12', 30.0, 15.0, 0.0, 4.0, 0.0, 11.0, 0.0),
            ('s3', 'A-1', 'A', 'A-1/2', 'P1', '2026-01-05 09:00:00+00', '2026-01-05', 10.0, 5.0, 1.0, 2.0, 0.5, 2.5, 10.0),
            ('s4', 'A-1', 'A', 'A-1/1', 'P1', '2026-01-05 15:00:00+00', '2026-01-05', 40.0, 20.0, 0.0, 5.0, 2.0, 13.0, 0.0),
            ('s5', 'B-2', 'B', 'B-2/1', 'P2', '2026-01-08 12:00:00+00', '2026-01-08', 50.0, 25.0, 3.0, 6.0, 0.0, 19.0, 30.0))
        t(session_id, charge_point_id, site_id, port_id, partner, start_at, local_date,
          energy_kwh, total_revenue, parking_revenue, energy_cost, roaming_fee, margin, idle_min)""",
    "partners": """
        SELECT * FROM (VALUES ('P1', 'PlugOne', FALSE), ('P2', 'Own app', TRUE))
        t(partner, name, own)""",
    "utilisation_site_daily": """
        SELECT * FROM (VALUES (DATE '2026-01-05', 'A'), (DATE '2026-01-12', 'B'))
        t(local_date, site_id)""",
    "usage_ports": """
        SELECT port_id, charge_point_id, site_id, TIMESTAMPTZ '2026-01-05 00:00:00+00'
               AS period_start
        FROM (VALUES ('A-1/1', 'A-1', 'A'), ('A-1/2', 'A-1', 'A'), ('B-1/1', 'B-1', 'B'),
                     ('B-2/1', 'B-2', 'B')) t(port_id, charge_point_id, site_id)""",
    # Monday 08:00: 60 minutes in a session on one port.
    "usage_port_hourly": """
        SELECT 'A-1/1' AS port_id, 'A-1' AS charge_point_id, 'A' AS site_id,
               DATE '2026-01-05' AS local_date, 1 AS local_dow, 8 AS local_hour,
               60.0 AS session_min""",
    # A: 360 of 2,880 available minutes in a session (12.5 %); B: 120 of 1,440 (8.3 %).
    "utilisation_port_daily": """
        SELECT local_date::DATE AS local_date, site_id, charge_point_id, port_id, sessions,
               session_min, available_min, kwh, rated_kw
        FROM (VALUES ('2026-01-05', 'A', 'A-1', 'A-1/1', 2.0, 300.0, 1440.0, 30.0, 50.0),
                     ('2026-01-12', 'A', 'A-1', 'A-1/2', 1.0, 60.0, 1440.0, 20.0, 50.0),
                     ('2026-01-08', 'B', 'B-2', 'B-2/1', 1.0, 120.0, 1440.0, 50.0, 7.0))
        t(local_date, site_id, charge_point_id, port_id, sessions, session_min, available_min,
          kwh, rated_kw)""",
    # A saturated 120 of 1,200 observed minutes (10 %), over one week: 2 h a week.
    "utilisation_hour_of_week": """
        SELECT * FROM (VALUES ('A', 1, 8, 1, 600.0, 60.0), ('A', 1, 9, 1, 600.0, 60.0),
                              ('B', 1, 8, 1, 600.0, 0.0))
        t(site_id, local_dow, local_hour, weeks_observed, observed_min, saturation_min)""",
    # Site A limited to 30 kW: 22 kW, then 34 kW (over by 4); site B has no limit.
    "site_load_15min": """
        SELECT site_id, interval_start::TIMESTAMPTZ AS interval_start, kw, grid_limit_kw,
               coalesce(kw > grid_limit_kw, false) AS over_limit
        FROM (VALUES ('A', '2026-01-06 10:00:00+00', 22.0, 30.0),
                     ('A', '2026-01-06 10:15:00+00', 34.0, 30.0),
                     ('B', '2026-01-06 10:00:00+00', 7.0, NULL))
        t(site_id, interval_start, kw, grid_limit_kw)""",
    # January: A's peak 34 kW x $15.51 = $527.34; B 7 kW x $15.51 = $108.57.
    "site_demand_charges": """
        SELECT site_id, DATE '2026-01-01' AS month, peak_kw,
               TIMESTAMPTZ '2026-01-06 10:15:00+00' AS peak_at, peak_kw * 15.51 AS demand_charge_usd,
               margin, margin - peak_kw * 15.51 AS margin_after_demand
        FROM (VALUES ('A', 34.0, 600.0), ('B', 7.0, 100.0)) t(site_id, peak_kw, margin)""",
}


def build(data_dir: Path, skip: tuple[str, ...] = ()) -> Path:
    marts = data_dir / "warehouse" / "marts"
    marts.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for name, sql in MARTS.items():
        if name not in skip:
            con.execute(f"COPY ({sql}) TO '{marts / name}.parquet' (FORMAT parquet)")
    return data_dir
