"""Sessions: one row per transaction, both OCPP versions, robust to what real chargers send."""

from pathlib import Path

from pipelines.marts import mart_asset

HERE = Path(__file__).parent

sessions = mart_asset("sessions", HERE, "sessions")
