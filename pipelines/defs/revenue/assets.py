"""Money: utility energy prices, OCPI site tariffs, partners' fees, per-session charges, daily
revenue, monthly demand charges and OCPI CDRs (group "revenue").

The four price tables are loaded by Python from ``<data>/config/`` (``tariffs.json``,
``partners.json``, ``utility_tariffs/*.json``) or the defaults shipped in ``pipelines/tariffs/``;
the marts are SQL files beside this module (each file's leading comment states its rules).
"""

from pathlib import Path

from pipelines.marts import Mart, mart_asset, table_mart
from pipelines.tariffs import tables

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


def _price_table(name: str, deps: tuple[str, ...]) -> Mart:
    builder = tables.BUILDERS[name]
    return table_mart(
        name, GROUP, _DESCRIPTIONS[name], deps, lambda conn, layout: builder(conn, layout.config),
        "python",
    )


MARTS = ("session_energy_slices", "session_charges", "revenue_daily", "site_demand_charges", "cdrs")

# The price tables are built in Python (pipelines/tariffs), so their deps are written here.
revenue_assets = [
    _price_table("utility_prices", ()),
    _price_table("tariff_components", ()),
    _price_table("site_tariffs", ("dim_sites",)),
    _price_table("partners", ()),
    *(mart_asset(name, SQL_DIR, GROUP) for name in MARTS),
]
