"""Failure prediction inputs: fault episodes, per charger-hour features and labels.

Features at hour h describe the charger at the end of the hour (h + 1 h) from data received
before then only; labels say whether a fault (Faulted for >= fault_min_minutes, from status
reports, never simulator truth) begins within the next 6 / H / 48 hours.
"""

# No "from __future__ import annotations": Dagster reads annotations at runtime.
from pathlib import Path

from pipelines.marts import mart_asset

SQL_DIR = Path(__file__).parent
GROUP = "failures"

# failure_features: the costliest mart, and no row changes once its hour is over (its SQL's
# rule), so a refresh rebuilds only the hours from the first changed staging day on.
failure_assets = [
    mart_asset("faults", SQL_DIR, GROUP),
    mart_asset("failure_features", SQL_DIR, GROUP, incremental_on="hour"),
    mart_asset("failure_labels", SQL_DIR, GROUP),
]
