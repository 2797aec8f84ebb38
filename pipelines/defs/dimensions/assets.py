"""Dimensions: chargers, ports, sites and id tags, from the registry, the lake and the network."""

from pathlib import Path

from pipelines import sources
from pipelines.assets_kit import mart_asset

HERE = Path(__file__).parent

dim_chargers = mart_asset(
    "dim_chargers", HERE, ["stg_activity", "stg_boots"], "dimensions", sources.register
)
dim_ports = mart_asset(
    "dim_ports", HERE, ["dim_chargers", "stg_status", "stg_tx_events"], "dimensions"
)
dim_sites = mart_asset("dim_sites", HERE, ["dim_chargers"], "dimensions", sources.register)
dim_id_tags = mart_asset("dim_id_tags", HERE, [], "dimensions", sources.register)
