-- One row per meter sample (a frame's sampledValue group at one charger timestamp), with the
-- measurands the pipelines use normalised by meter_value() (macros.sql): energy register in Wh,
-- power in W, SoC in %, temperature in degrees C. Per-phase values are summed when no total
-- was sent. energy_sent / energy_unit and power_sent / power_unit keep the reading as the
-- charger sent it (e.g. 12.345 'kWh' for energy_wh 12345; a per-phase sum keeps its unit only
-- when every phase used the same one). signed_data: the sample's signed meter reading (OCMF or
-- another format), as sent: 1.6 a sampledValue of format SignedData (its value, which has no
-- number), 2.0.1 signedMeterValue.signedMeterData; signed_encoding its format (2.0.1
-- encodingMethod, 1.6 'OCMF' when the value is OCMF); NULL when the sample was not signed.
-- A 1.6 transaction's Transaction.Begin row (from its StartTransaction) counts once: a retry
-- answered with the same id, logged in a later journal segment, derived another; the first
-- received stands.
WITH mv AS (
    SELECT *,
        coalesce(measurand, 'Energy.Active.Import.Register') AS m,
        meter_value(value, unit) AS v
    FROM raw_meter_values
    WHERE date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
samples AS (
    SELECT
        received_at,
        "timestamp" AS charger_time,
        charge_point_id,
        ocpp_version,
        source_action,
        coalesce(evse_id, connector_id) AS port_no,
        transaction_id,
        any_value(context) AS context,
        coalesce(max(v) FILTER (m = 'Energy.Active.Import.Register' AND phase IS NULL),
                 sum(v) FILTER (m = 'Energy.Active.Import.Register')) AS energy_wh,
        coalesce(max(v) FILTER (m = 'Power.Active.Import' AND phase IS NULL),
                 sum(v) FILTER (m = 'Power.Active.Import')) AS power_w,
        max(v) FILTER (m = 'SoC') AS soc_pct,
        max(v) FILTER (m = 'Temperature') AS temperature_c,
        -- the same readings as sent: the row max(v) took, else the phases' sum in their unit
        coalesce(arg_max(value, v) FILTER (m = 'Energy.Active.Import.Register' AND phase IS NULL),
                 CASE WHEN count(DISTINCT unit) FILTER (m = 'Energy.Active.Import.Register'
                                                        AND value IS NOT NULL) = 1
                      THEN sum(value) FILTER (m = 'Energy.Active.Import.Register') END)
            AS energy_sent,
        coalesce(arg_max(unit, v) FILTER (m = 'Energy.Active.Import.Register' AND phase IS NULL),
                 CASE WHEN count(DISTINCT unit) FILTER (m = 'Energy.Active.Import.Register'
                                                        AND value IS NOT NULL) = 1
                      THEN any_value(unit) FILTER (m = 'Energy.Active.Import.Register'
                                                   AND value IS NOT NULL) END)
            AS energy_unit,
        coalesce(arg_max(value, v) FILTER (m = 'Power.Active.Import' AND phase IS NULL),
                 CASE WHEN count(DISTINCT unit) FILTER (m = 'Power.Active.Import'
                                                        AND value IS NOT NULL) = 1
                      THEN sum(value) FILTER (m = 'Power.Active.Import') END) AS power_sent,
        coalesce(arg_max(unit, v) FILTER (m = 'Power.Active.Import' AND phase IS NULL),
                 CASE WHEN count(DISTINCT unit) FILTER (m = 'Power.Active.Import'
                                                        AND value IS NOT NULL) = 1
                      THEN any_value(unit) FILTER (m = 'Power.Active.Import'
                                                   AND value IS NOT NULL) END) AS power_unit,
        unique_id,
        date
    FROM mv
    GROUP BY received_at, "timestamp", charge_point_id, ocpp_version, source_action,
             coalesce(evse_id, connector_id), transaction_id, unique_id, date
    -- a StartTransaction retried in another journal segment derived its Begin row again
    QUALIFY source_action IS DISTINCT FROM 'StartTransaction' OR transaction_id IS NULL
         OR row_number() OVER (PARTITION BY charge_point_id, transaction_id, source_action
                               ORDER BY received_at, unique_id) = 1
),
signed_calls AS (
    -- only frames that carry a signature are parsed again (a cheap text test first)
    SELECT received_at, charge_point_id, unique_id, ocpp_version,
           CASE action WHEN 'StopTransaction' THEN payload::JSON -> 'transactionData'
                       ELSE payload::JSON -> 'meterValue' END AS groups
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2
      AND action IN ('MeterValues', 'StopTransaction', 'TransactionEvent')
      AND (contains(payload, '"SignedData"') OR contains(payload, '"signedMeterValue"'))
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
signed_groups AS (
    SELECT received_at, charge_point_id, unique_id, unnest(from_json(groups, '["JSON"]')) AS g
    FROM signed_calls
),
signed_values AS (
    -- the group's charger time as the lake converter reads it: no offset means UTC
    SELECT received_at, charge_point_id, unique_id,
           CASE WHEN regexp_matches(g ->> 'timestamp',
                                '\d:\d\d(:\d\d(\.\d*)?)?([Zz]|[+-]\d\d(:?\d\d)?)$')
                THEN TRY_CAST(g ->> 'timestamp' AS TIMESTAMPTZ)
                ELSE timezone('UTC', TRY_CAST(g ->> 'timestamp' AS TIMESTAMP)) END AS charger_time,
           list_filter(from_json(g -> 'sampledValue', '["JSON"]'),
                       lambda sv: sv ->> 'format' = 'SignedData'
                                  OR (sv -> 'signedMeterValue') IS NOT NULL)[1] AS sv
    FROM signed_groups
),
signed AS (
    SELECT received_at, charge_point_id, unique_id, charger_time,
           min(coalesce(sv -> 'signedMeterValue' ->> 'signedMeterData', sv ->> 'value'))
               AS signed_data,
           arg_min(coalesce(sv -> 'signedMeterValue' ->> 'encodingMethod',
                            CASE WHEN starts_with(sv ->> 'value', 'OCMF|') THEN 'OCMF' END),
                   coalesce(sv -> 'signedMeterValue' ->> 'signedMeterData', sv ->> 'value'))
               AS signed_encoding
    FROM signed_values
    WHERE sv IS NOT NULL
    GROUP BY ALL
)
SELECT s.* EXCLUDE (unique_id, date), g.signed_data, g.signed_encoding, s.unique_id, s.date
FROM samples s
LEFT JOIN signed g
  ON g.charge_point_id = s.charge_point_id AND g.unique_id = s.unique_id
 AND g.received_at = s.received_at AND g.charger_time IS NOT DISTINCT FROM s.charger_time
