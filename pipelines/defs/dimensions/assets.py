"""Dimensions: chargers, ports, sites and id tags, from the registry, the lake and the network."""

from pathlib import Path

from pipelines.marts import mart_asset

HERE = Path(__file__).parent

# Module-level names, one per asset: workbench/live_features.py finds them in this module.
dim_chargers = mart_asset("dim_chargers", HERE, "dimensions")
dim_ports = mart_asset("dim_ports", HERE, "dimensions")
dim_sites = mart_asset("dim_sites", HERE, "dimensions")
dim_id_tags = mart_asset("dim_id_tags", HERE, "dimensions")
