-- Transaction events of both versions in one shape: 1.6 StartTransaction / StopTransaction,
-- 2.0.1 TransactionEvent. The 1.6 transaction id and the authorisation status come from our
-- answer (joined on the connection and message id, so a reused id on a new link cannot match).
-- A CALL we answered with a CALLERROR (and never with a CALLRESULT) is left out: we refused it
-- (a schema violation, an internal error), so it starts, updates or ends nothing, as the lake
-- converter gives its meter values no row either; the charger sends the event again.
-- meter_wh: the energy register in Wh at the event (1.6 meterStart / meterStop; 2.0.1 the
-- Energy.Active.Import.Register the event carried, as flattened into meter_values).
-- id_tag of a 2.0.1 remote start: a TransactionEvent naming a remoteStartId may carry no idToken
-- (the station was told whom to charge); it is the idToken of our RequestStartTransaction with
-- that remoteStartId to that station, the latest sent before the event that it accepted.
WITH calls AS (
    SELECT received_at, date, charge_point_id, connection_id, ocpp_version, unique_id, action,
           payload::JSON AS p
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2
      AND action IN ('StartTransaction', 'StopTransaction', 'TransactionEvent')
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
answers AS (
    SELECT connection_id, unique_id,
           any_value(CASE WHEN message_type = 3 THEN payload END)::JSON AS r,
           bool_or(message_type = 4) AND NOT bool_or(message_type = 3) AS refused
    FROM raw_ocpp_messages
    WHERE direction = 'out' AND message_type IN (3, 4)
      AND action IN ('StartTransaction', 'StopTransaction', 'TransactionEvent')
    GROUP BY ALL
),
registers AS (
    SELECT charge_point_id, unique_id, received_at,
           max(meter_value(value, unit)) AS wh
    FROM raw_meter_values
    WHERE source_action = 'TransactionEvent'
      AND coalesce(measurand, 'Energy.Active.Import.Register') = 'Energy.Active.Import.Register'
      AND phase IS NULL
    GROUP BY ALL
),
remote_starts AS (
    SELECT s.charge_point_id, s.received_at AS asked_at,
           TRY_CAST(s.payload::JSON ->> 'remoteStartId' AS BIGINT) AS remote_start_id,
           s.payload::JSON -> 'idToken' ->> 'idToken' AS remote_id_tag
    FROM raw_ocpp_messages s
    JOIN raw_ocpp_messages a
      ON a.connection_id = s.connection_id AND a.unique_id = s.unique_id
     AND a.direction = 'in' AND a.message_type = 3
     AND a.payload::JSON ->> 'status' = 'Accepted'
    WHERE s.direction = 'out' AND s.message_type = 2 AND s.action = 'RequestStartTransaction'
      AND a.action = 'RequestStartTransaction'
      AND s.date <= getvariable('stg_to')
),
answered AS (
    SELECT c.*, a.r, g.wh,
           TRY_CAST(c.p -> 'transactionInfo' ->> 'remoteStartId' AS BIGINT) AS remote_start_id
    FROM calls c
    LEFT JOIN answers a USING (connection_id, unique_id)
    LEFT JOIN registers g USING (charge_point_id, unique_id, received_at)
    WHERE NOT coalesce(a.refused, false)
),
joined AS (
    SELECT j.*, rs.remote_id_tag
    FROM answered j
    ASOF LEFT JOIN remote_starts rs
      ON rs.charge_point_id = j.charge_point_id AND rs.remote_start_id = j.remote_start_id
     AND rs.asked_at <= j.received_at
)
SELECT
    received_at,
    TRY_CAST(coalesce(p ->> 'timestamp', '') AS TIMESTAMPTZ) AS charger_time,
    charge_point_id,
    ocpp_version,
    CASE action
        WHEN 'StartTransaction' THEN TRY_CAST(p ->> 'connectorId' AS INTEGER)
        WHEN 'TransactionEvent' THEN TRY_CAST(p -> 'evse' ->> 'id' AS INTEGER)
    END AS port_no,
    CASE action
        WHEN 'StartTransaction' THEN TRY_CAST(p ->> 'connectorId' AS INTEGER)
        WHEN 'TransactionEvent' THEN TRY_CAST(p -> 'evse' ->> 'connectorId' AS INTEGER)
    END AS connector_id,
    CASE action
        WHEN 'StartTransaction' THEN r ->> 'transactionId'
        WHEN 'StopTransaction' THEN p ->> 'transactionId'
        ELSE p -> 'transactionInfo' ->> 'transactionId'
    END AS transaction_id,
    CASE action
        WHEN 'StartTransaction' THEN 'started'
        WHEN 'StopTransaction' THEN 'ended'
        ELSE lower(p ->> 'eventType')
    END AS event,
    CASE action
        WHEN 'StartTransaction' THEN TRY_CAST(p ->> 'meterStart' AS DOUBLE)
        WHEN 'StopTransaction' THEN TRY_CAST(p ->> 'meterStop' AS DOUBLE)
        ELSE wh
    END AS meter_wh,
    CASE action
        WHEN 'TransactionEvent' THEN coalesce(p -> 'idToken' ->> 'idToken', remote_id_tag)
        ELSE p ->> 'idTag'
    END AS id_tag,
    coalesce(r -> 'idTagInfo' ->> 'status', r -> 'idTokenInfo' ->> 'status') AS auth_status,
    CASE
        WHEN action = 'StopTransaction' THEN coalesce(p ->> 'reason', 'Local')
        WHEN p ->> 'eventType' = 'Ended'
            THEN coalesce(p -> 'transactionInfo' ->> 'stoppedReason', 'Local')
    END AS stop_reason,
    p ->> 'triggerReason' AS trigger_reason,
    p -> 'transactionInfo' ->> 'chargingState' AS charging_state,
    TRY_CAST(p ->> 'seqNo' AS INTEGER) AS seq_no,
    unique_id,
    date
FROM joined
