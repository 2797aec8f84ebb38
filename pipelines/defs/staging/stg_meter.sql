-- One row per meter sample (a frame's sampledValue group at one charger timestamp), with the
-- measurands the pipelines use normalised: energy register in Wh, power in W, SoC in %,
-- temperature in degrees C. Per-phase values are summed when no total was sent.
WITH mv AS (
    SELECT *,
        coalesce(measurand, 'Energy.Active.Import.Register') AS m,
        CASE unit
            WHEN 'kWh' THEN value * 1000 WHEN 'kW' THEN value * 1000
            WHEN 'Fahrenheit' THEN (value - 32) * 5 / 9 WHEN 'K' THEN value - 273.15
            ELSE value
        END AS v
    FROM raw_meter_values
    WHERE date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
)
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
    unique_id,
    date
FROM mv
GROUP BY received_at, "timestamp", charge_point_id, ocpp_version, source_action,
         coalesce(evse_id, connector_id), transaction_id, unique_id, date
