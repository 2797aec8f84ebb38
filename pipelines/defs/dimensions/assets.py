"""Dimensions: chargers, ports, sites and id tags, from the registry, the lake and the network."""

from pathlib import Path

from pipelines.sql_assets import mart_asset
from pipelines.warehouse import reference_data

HERE = Path(__file__).parent

dim_chargers = mart_asset(
    "dim_chargers", HERE, ["stg_activity", "stg_boots"], "dimensions", reference_data.register
)
dim_ports = mart_asset(
    "dim_ports", HERE, ["dim_chargers", "stg_status", "stg_tx_events"], "dimensions"
)
dim_sites = mart_asset("dim_sites", HERE, ["dim_chargers"], "dimensions", reference_data.register)
dim_id_tags = mart_asset("dim_id_tags", HERE, [], "dimensions", reference_data.register)
