-- BootNotification: every (re)boot, with its reason (2.0.1 only) and our answer.
WITH calls AS (
    SELECT received_at, date, charge_point_id, connection_id, ocpp_version, unique_id,
           payload::JSON AS p
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2 AND action = 'BootNotification'
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
answers AS (
    SELECT connection_id, unique_id, any_value(payload::JSON) AS r
    FROM raw_ocpp_messages
    WHERE direction = 'out' AND message_type = 3 AND action = 'BootNotification'
    GROUP BY ALL
)
SELECT
    received_at, charge_point_id, ocpp_version,
    p ->> 'reason' AS reason,
    coalesce(p ->> 'chargePointVendor', p -> 'chargingStation' ->> 'vendorName') AS vendor,
    coalesce(p ->> 'chargePointModel', p -> 'chargingStation' ->> 'model') AS model,
    coalesce(p ->> 'firmwareVersion', p -> 'chargingStation' ->> 'firmwareVersion') AS firmware,
    r ->> 'status' AS status,
    TRY_CAST(r ->> 'interval' AS INTEGER) AS heartbeat_interval_s,
    unique_id, date
FROM calls LEFT JOIN answers USING (connection_id, unique_id)
