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

from pipelines.marts import mart_asset

SQL_DIR = Path(__file__).parent
GROUP = "usage"
MARTS = (
    "usage_ports",
    "usage_port_hourly",
    "utilisation_port_daily",
    "utilisation_site_daily",
    "utilisation_hour_of_week",
    "charge_attempts",
    "charge_success_daily",
)

usage_assets = [mart_asset(name, SQL_DIR, GROUP) for name in MARTS]
