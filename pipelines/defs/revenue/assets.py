"""Money: utility energy prices, OCPI site tariffs, partners' fees, per-session charges, daily
revenue, monthly demand charges and OCPI CDRs (group "revenue").

The four price tables are loaded by Python from ``<data>/config/`` (``tariffs.json``,
``partners.json``, ``utility_tariffs/*.json``) or the defaults shipped in ``pipelines/tariffs/``;
the marts are SQL files beside this module (each file's leading comment states its rules).
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.resources import WarehouseResource
from pipelines.sql_assets import mart_asset
from pipelines.tariffs import tables
from pipelines.warehouse import sql_files

SQL_DIR = Path(__file__).parent
GROUP = "revenue"

_DESCRIPTIONS = {
    "utility_prices": "Utility time-of-use energy prices (SCE TOU-EV-8, PG&E A-10, ... from "
    "acnportal, BSD) resolved per tariff x month-day x weekday/weekend x local hour: $/kWh (the "
    "hour's time-weighted mean) and demand charge $/kW; first matching schedule entry wins.",
    "tariff_components": "The site tariffs (OCPI 2.2.1 Tariff objects from config/tariffs.json "
    "or the shipped default) flattened: one row per tariff x element x price component with its "
    "restrictions (local minutes, dates, ISO weekdays, durations).",
    "site_tariffs": "Per site: AC and DC tariff ids and the utility tariff (site entry, else an "
    "address rule, else the default); site_id NULL is the default for unknown sites.",
    "partners": "Roaming partners' fee terms (config/partners.json or the shipped default): "
    "fee_pct of revenue + fee_per_session_usd; partner NULL = unknown partners.",
}


def _table_asset(name: str, deps: Sequence[str]) -> dg.AssetsDefinition:
    builder = tables.BUILDERS[name]

    @dg.asset(
        name=name,
        deps=list(deps),
        group_name=GROUP,
        kinds={"duckdb", "python"},
        description=_DESCRIPTIONS[name],
    )
    def _asset(warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
        layout = warehouse.layout()
        with warehouse.connect() as conn:
            rows = builder(conn, layout.config)
            sql_files.publish(conn, name, layout.mart_file(name))
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    return _asset


MARTS = ("session_energy_slices", "session_charges", "revenue_daily", "site_demand_charges", "cdrs")

# The price tables are built in Python (pipelines/tariffs), so their deps are written here.
revenue_assets = [
    _table_asset("utility_prices", []),
    _table_asset("tariff_components", []),
    _table_asset("site_tariffs", ["dim_sites"]),
    _table_asset("partners", []),
    *(mart_asset(name, SQL_DIR, GROUP) for name in MARTS),
]
