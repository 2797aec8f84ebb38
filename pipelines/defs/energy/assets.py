"""Energy management: each site's load at 15-minute resolution against its grid connection
limit (group "energy"); the month's peak and demand charge are in ``site_demand_charges``."""

from pathlib import Path

from pipelines.marts import mart_asset

energy_assets = [mart_asset("site_load_15min", Path(__file__).parent, "energy")]
