-- Charger temperature readings: 1.6 MeterValues Temperature and 2.0.1 NotifyEvent
-- (component ChargingStation or an EVSE, variable Temperature; 2.0.1 has no such measurand).
WITH events AS (
    SELECT received_at, date, charge_point_id, ocpp_version,
           unnest(from_json(payload::JSON -> 'eventData', '["JSON"]')) AS e
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2 AND action = 'NotifyEvent'
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
)
SELECT received_at, charge_point_id, ocpp_version,
       TRY_CAST(e -> 'component' -> 'evse' ->> 'id' AS INTEGER) AS port_no,
       TRY_CAST(e ->> 'actualValue' AS DOUBLE) AS celsius, 'NotifyEvent' AS source, date
FROM events
WHERE (e -> 'variable' ->> 'name') = 'Temperature' AND TRY_CAST(e ->> 'actualValue' AS DOUBLE) IS NOT NULL
UNION ALL
SELECT received_at, charge_point_id, ocpp_version, coalesce(evse_id, connector_id) AS port_no,
       meter_value(value, unit) AS celsius,
       'MeterValues' AS source, date
FROM raw_meter_values
WHERE measurand = 'Temperature' AND value IS NOT NULL
  AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
