-- StatusNotification of both versions, one row per port status report.
-- port_no: 1.6 connectorId, 2.0.1 evseId (a NEVI "port" is what charges one vehicle at a time);
-- port_no 0 is the charger as a whole (1.6 connectorId 0). seq orders reports that share a
-- received_at (arrival order); consumers order by (received_at, seq). Numbered within the day
-- (reports sharing a received_at share its date), so a day's rows do not depend on which range
-- of days was staged with it.
WITH calls AS (
    SELECT received_at, date, charge_point_id, ocpp_version, unique_id, payload::JSON AS p,
           row_number() OVER (PARTITION BY date ORDER BY received_at, filename, file_row_number)
               AS seq
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2 AND action = 'StatusNotification'
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
typed AS (
    SELECT
        received_at,
        TRY_CAST(p ->> 'timestamp' AS TIMESTAMPTZ) AS charger_time,
        charge_point_id,
        ocpp_version,
        TRY_CAST(coalesce(p ->> 'evseId', p ->> 'connectorId') AS INTEGER) AS port_no,
        TRY_CAST(p ->> 'connectorId' AS INTEGER) AS connector_id,
        coalesce(p ->> 'connectorStatus', p ->> 'status') AS status,
        nullif(p ->> 'errorCode', 'NoError') AS error_code,
        nullif(p ->> 'vendorErrorCode', '') AS vendor_error_code,
        p ->> 'info' AS info,
        unique_id,
        seq,
        date
    FROM calls
)
SELECT
    * EXCLUDE (date),
    CASE
        WHEN status = 'Available' THEN 'available'
        WHEN status IN ('Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Occupied')
            THEN 'occupied'
        WHEN status = 'Reserved' THEN 'reserved'
        WHEN status = 'Unavailable' THEN 'unavailable'
        WHEN status = 'Faulted' THEN 'faulted'
        ELSE 'unknown'
    END AS status_class,
    date
FROM typed
