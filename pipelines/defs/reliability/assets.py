"""Reliability marts: status and connectivity intervals, port UP/DOWN, outages, NEVI uptime.

Port uptime follows NEVI 23 CFR 680.116(b): mu = (T - (T_outage - T_excluded)) / T x 100 (see
the SQL files' leading comments, shown as the assets' descriptions).
"""

# No "from __future__ import annotations": Dagster reads the asset functions' annotations.
from pathlib import Path

import dagster as dg

from pipelines import exclusions
from pipelines.resources import WarehouseResource
from pipelines.sql_assets import mart_asset
from pipelines.warehouse import sql_files

SQL_DIR = Path(__file__).parent
GROUP = "reliability"


@dg.asset(name="exclusion_windows", group_name=GROUP, kinds={"duckdb", "csv"})
def exclusion_windows(warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
    """Exclusion windows (outage time outside the operator's control, 23 CFR 680.116(b)) from
    ``<data>/config/exclusion_windows.csv`` (``cpo exclusions add``); empty without the file."""
    windows = exclusions.load(exclusions.csv_path(Path(warehouse.data_dir)))
    with warehouse.connect() as conn:
        rows = exclusions.create_table(conn, windows)
        sql_files.publish(
            conn, "exclusion_windows", warehouse.layout().mart_file("exclusion_windows")
        )
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


# The SQL marts, in an order they build in (tests build them so); each one's deps are what its
# SQL reads (pipelines.lineage).
MARTS = (
    "connector_status_intervals",
    "charger_connectivity_intervals",
    "port_state_intervals",
    "excluded_down_intervals",
    "outages",
    "port_uptime_monthly",
    "port_uptime_rolling",
    "site_uptime_monthly",
    "network_uptime_monthly",
)

reliability_assets = [mart_asset(name, SQL_DIR, GROUP) for name in MARTS]
