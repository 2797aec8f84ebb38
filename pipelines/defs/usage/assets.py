"""Usage marts: utilisation per port, site and hour-of-week, and ChargeX-style charge success.

Utilisation (DESIGN): time-based = minutes a port is in a session / minutes available;
energy-based = kWh / (rated kW x available hours). Availability is computed here from status
reports, silences and closed connections (see ``usage_port_hourly.sql``); the calendar minutes
and the numerators are kept too, so a reader can divide either way.
Charge success: attempts (sessions, rejected authorisations, failed starts) and successes
(> 0.1 kWh delivered and a normal stop), see ``charge_attempts.sql``.
"""

# No "from __future__ import annotations": Dagster reads annotations at runtime.
from pathlib import Path

from pipelines.sql_assets import mart_asset

SQL_DIR = Path(__file__).parent
GROUP = "usage"
DIMS = ["dim_chargers", "dim_ports"]

usage_assets = [
    mart_asset("usage_ports", SQL_DIR, ["stg_status", "stg_activity", "sessions", *DIMS], GROUP),
    mart_asset(
        "usage_port_hourly",
        SQL_DIR,
        ["usage_ports", "sessions", "stg_status", "stg_gaps", "raw_connection_events"],
        GROUP,
    ),
    mart_asset("utilisation_port_daily", SQL_DIR, ["usage_ports", "usage_port_hourly"], GROUP),
    mart_asset("utilisation_site_daily", SQL_DIR, ["utilisation_port_daily"], GROUP),
    mart_asset(
        "utilisation_hour_of_week",
        SQL_DIR,
        ["usage_ports", "usage_port_hourly", "sessions"],
        GROUP,
    ),
    mart_asset(
        "charge_attempts", SQL_DIR, ["sessions", "stg_authorizations", "stg_status", *DIMS], GROUP
    ),
    mart_asset("charge_success_daily", SQL_DIR, ["charge_attempts"], GROUP),
]
