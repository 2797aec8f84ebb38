"""Energy management: each site's power at 15-minute resolution (its one owner) and its load
against its grid connection limit (group "energy"); the month's peak and demand charge are in
``site_demand_charges``."""

from pathlib import Path

from pipelines.marts import mart_asset

energy_assets = [mart_asset(name, Path(__file__).parent, "energy")
                 for name in ("site_power_15min", "site_load_15min")]
