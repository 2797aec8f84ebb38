-- Error codes a charger reports: 1.6 StatusNotification errorCode (any status, also with an
-- unchanged one), 2.0.1 NotifyEvent problems (techCode, or the component.variable that tripped).
WITH calls AS (
    SELECT received_at, date, charge_point_id, ocpp_version, unique_id, action, payload::JSON AS p
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2 AND action IN ('StatusNotification', 'NotifyEvent')
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
v16 AS (
    SELECT
        received_at, TRY_CAST(p ->> 'timestamp' AS TIMESTAMPTZ) AS charger_time, charge_point_id,
        ocpp_version, TRY_CAST(p ->> 'connectorId' AS INTEGER) AS port_no,
        p ->> 'errorCode' AS code, nullif(p ->> 'vendorErrorCode', '') AS detail,
        p ->> 'status' AS status, 'StatusNotification' AS source, false AS cleared, unique_id, date
    FROM calls
    WHERE action = 'StatusNotification' AND coalesce(p ->> 'errorCode', 'NoError') <> 'NoError'
),
events AS (
    SELECT received_at, date, charge_point_id, ocpp_version, unique_id,
           unnest(from_json(p -> 'eventData', '["JSON"]')) AS e
    FROM calls
    WHERE action = 'NotifyEvent'
),
v201 AS (
    SELECT
        received_at, TRY_CAST(e ->> 'timestamp' AS TIMESTAMPTZ) AS charger_time, charge_point_id,
        ocpp_version, TRY_CAST(e -> 'component' -> 'evse' ->> 'id' AS INTEGER) AS port_no,
        coalesce(e ->> 'techCode', (e -> 'component' ->> 'name') || '.' || (e -> 'variable' ->> 'name'))
            AS code,
        e ->> 'techInfo' AS detail, NULL AS status, 'NotifyEvent' AS source,
        coalesce(TRY_CAST(e ->> 'cleared' AS BOOLEAN), false) AS cleared, unique_id, date
    FROM events
    WHERE e ->> 'trigger' = 'Alerting' OR e ->> 'techCode' IS NOT NULL
       OR (e -> 'variable' ->> 'name') = 'Problem'
)
SELECT * FROM v16
UNION ALL BY NAME
SELECT * FROM v201
