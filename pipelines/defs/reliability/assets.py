"""Reliability marts: status and connectivity intervals, port UP/DOWN, outages, NEVI uptime.

Port uptime follows NEVI 23 CFR 680.116(b): mu = (T - (T_outage - T_excluded)) / T x 100 (see
the SQL files' leading comments, shown as the assets' descriptions).
"""

from pathlib import Path

from pipelines import exclusions
from pipelines.marts import mart_asset, table_mart

SQL_DIR = Path(__file__).parent
GROUP = "reliability"

exclusion_windows = table_mart(
    "exclusion_windows",
    GROUP,
    "Exclusion windows (outage time outside the operator's control, 23 CFR 680.116(b)) from "
    "``<data>/config/exclusion_windows.csv`` (``cpo exclusions add``); empty without the file.",
    (),
    lambda conn, layout: exclusions.create_table(
        conn, exclusions.load(exclusions.csv_path(layout.data_dir))
    ),
    "csv",
)


# The SQL marts, in an order they build in (tests build them so); each one's deps are what its
# SQL reads (pipelines.lineage).
MARTS = (
    "connector_status_intervals",
    "charger_connectivity_intervals",
    "port_state_intervals",
    "excluded_down_intervals",
    "tickets",
    "ticket_outcomes",
    "outages",
    "port_uptime_monthly",
    "port_uptime_rolling",
    "site_uptime_monthly",
    "network_uptime_monthly",
)

reliability_assets = [mart_asset(name, SQL_DIR, GROUP) for name in MARTS]
