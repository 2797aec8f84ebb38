"""Checks on sessions: physical sense, uniqueness, and reconciliation with the raw frames."""

from pipelines.marts import sql_check

energy_not_negative = sql_check(
    "sessions",
    "energy_not_negative",
    "SELECT session_id, energy_kwh FROM sessions WHERE energy_kwh < 0",
    "No session delivers negative energy.",
)
end_after_start = sql_check(
    "sessions",
    "end_after_start",
    "SELECT session_id, start_at, end_at, charging_end_at FROM sessions "
    "WHERE end_at < start_at OR charging_end_at < start_at OR charging_end_at > end_at",
    "Every session ends at or after its start, and stops charging within it.",
)
no_duplicate_sessions = sql_check(
    "sessions",
    "no_duplicate_sessions",
    "SELECT session_id, count(*) AS n FROM sessions GROUP BY 1 HAVING count(*) > 1",
    "One row per transaction (charger and transaction id).",
)
reconciles_with_raw = sql_check(
    "sessions",
    "reconciles_with_raw_transactions",
    """
    WITH raw_tx AS (
        SELECT DISTINCT charge_point_id, transaction_id FROM stg_tx_events
        WHERE transaction_id IS NOT NULL
    )
    SELECT r.charge_point_id, r.transaction_id, 'in the frames, not in sessions' AS problem
    FROM raw_tx r ANTI JOIN sessions s USING (charge_point_id, transaction_id)
    UNION ALL
    SELECT s.charge_point_id, s.transaction_id, 'in sessions, not in the frames'
    FROM sessions s ANTI JOIN raw_tx r USING (charge_point_id, transaction_id)
    UNION ALL
    SELECT charge_point_id, NULL, 'transaction frames without a transaction id: '
        || count(*) FILTER (transaction_id IS NULL)
    FROM stg_tx_events GROUP BY ALL HAVING count(*) FILTER (transaction_id IS NULL) > 0
    """,
    "Every transaction id in the frames (1.6 Start/Stop, 2.0.1 TransactionEvent, as typed by "
    "staging) is one session, no session lacks frames, and no transaction frame lost its id.",
)
