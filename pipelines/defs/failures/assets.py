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

failure_assets = [
    mart_asset(name, SQL_DIR, GROUP) for name in ("faults", "failure_features", "failure_labels")
]
