"""Checks on sessions: physical sense, uniqueness, and reconciliation with the raw frames."""

from pipelines.assets_kit import sql_check

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
        SELECT DISTINCT m.charge_point_id,
            coalesce(a.payload::JSON ->> 'transactionId',
                     m.payload::JSON -> 'transactionInfo' ->> 'transactionId',
                     m.payload::JSON ->> 'transactionId') AS transaction_id
        FROM raw_ocpp_messages m
        LEFT JOIN raw_ocpp_messages a
            ON m.action = 'StartTransaction' AND a.direction = 'out' AND a.message_type = 3
           AND a.connection_id = m.connection_id AND a.unique_id = m.unique_id
        WHERE m.direction = 'in' AND m.message_type = 2
          AND m.action IN ('StartTransaction', 'StopTransaction', 'TransactionEvent')
    )
    SELECT r.charge_point_id, r.transaction_id, 'in raw, not in sessions' AS problem
    FROM raw_tx r ANTI JOIN sessions s USING (charge_point_id, transaction_id)
    WHERE r.transaction_id IS NOT NULL
    UNION ALL
    SELECT s.charge_point_id, s.transaction_id, 'in sessions, not in raw'
    FROM sessions s ANTI JOIN raw_tx r USING (charge_point_id, transaction_id)
    """,
    "Every transaction id in the raw frames is one session, and no session lacks raw frames.",
)
