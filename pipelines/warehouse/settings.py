"""Knobs of a build, passed to the SQL as DuckDB variables (``getvariable('name')``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True)
class BuildSettings:
    # Sites' local time, for hour-of-week, time-of-use bands and opening hours.
    timezone: str = "America/Los_Angeles"
    # DESIGN "Offline": no frame for longer than heartbeat interval x this tolerance.
    offline_tolerance: float = 2.0
    # A transaction with no stop and no later boot is closed this long after its last sign of life.
    session_timeout_hours: float = 24.0
    # Faults shorter than this are trips the charger clears itself; labels ignore them. Trips
    # last minutes (the simulator, fitted to the county report, draws up to ~25 min).
    fault_min_minutes: float = 30.0
    # Default label horizon: "a fault begins within the next H hours".
    label_horizon_hours: int = 24
    # A session above rated power x duration x this, or with power above rating x this, is
    # quarantined (meters and ratings are approximate; a register of 2e9 Wh is not).
    plausibility_margin: float = 1.1
    # Charger clocks further than this from the server's are flagged as skewed.
    clock_skew_minutes: float = 5.0


def apply(conn: duckdb.DuckDBPyConnection, settings: BuildSettings, as_of: datetime) -> None:
    """Set every setting, plus ``as_of`` (the end of the data), as session variables."""
    for name, value in asdict(settings).items():
        conn.execute(f"SET VARIABLE {name} = ?", [value])
    conn.execute("SET VARIABLE as_of = ?::TIMESTAMPTZ", [as_of])
