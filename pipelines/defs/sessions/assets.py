"""Sessions: one row per transaction, both OCPP versions, robust to what real chargers send."""

from pathlib import Path

from pipelines.sql_assets import mart_asset

HERE = Path(__file__).parent

sessions = mart_asset(
    "sessions",
    HERE,
    ["stg_tx_events", "stg_meter", "stg_boots", "dim_chargers", "dim_id_tags"],
    "sessions",
)
