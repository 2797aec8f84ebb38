-- Failure-prediction features per charger and UTC hour. The row for hour h describes the charger
-- at feature_at = h + 1 hour (the end of the hour) and uses ONLY data received before feature_at:
-- every window is over the current and preceding hours of a dense hourly spine (each charger from
-- its first frame, or first_seen_at, to as_of's hour; hours with no frame are rows with zero
-- counts), so a later event never changes an earlier row. Windows: _1h = the hour itself, _6h,
-- _24h and _48h = the 6, 24 and 48 hours ending at feature_at, _7d = 168 hours. Short windows
-- beside long ones let a model see a signal accelerating (wear does) against the charger's own
-- baseline (temperature and heartbeat gaps vs its 7 days).
-- Columns: error codes (stg_alerts, not cleared) in total and by family (err_<family>_24h:
-- overcurrent, overvoltage, undervoltage, ground, high_temperature, connector_lock,
-- ev_communication, power_meter, power_switch, internal, reader, other); reboots (stg_boots);
-- heartbeat gaps between frames (stg_activity: the hour's max/mean/stddev, and the 24 h max);
-- MeterValues interval: mean and stddev of consecutive charger_time gaps of one transaction's
-- samples, and the clock drift = charger gap minus server (received_at) gap, mean and stddev;
-- temperature mean/max and slope (degC per hour, least squares) over 24 h; failed starts and
-- failed attempts (charge_attempts, at the time their outcome was known); call errors; hours since
-- the last Faulted report (NULL if none yet); charger age in days (installed_at, else
-- first_seen_at); vendor/model/kind/rated_kw; time-based utilisation (port-minutes in a session /
-- (ports x minutes)) over 24 h and 7 d.
WITH chargers AS (
    SELECT a.charge_point_id, min(a.hour) AS first_hour
    FROM stg_activity a GROUP BY ALL
    UNION ALL
    SELECT c.charge_point_id, date_trunc('hour', c.first_seen_at)
    FROM dim_chargers c
    WHERE c.first_seen_at IS NOT NULL
      AND c.charge_point_id NOT IN (SELECT charge_point_id FROM stg_activity)
),
spine AS (
    SELECT charge_point_id,
           unnest(range(first_hour, date_trunc('hour', getvariable('as_of')) + INTERVAL 1 SECOND,
                        INTERVAL 1 HOUR)) AS hour
    FROM chargers
),
act AS (
    SELECT charge_point_id, hour,
           sum(frames_in) AS frames_in, sum(heartbeats) AS heartbeats,
           sum(meter_frames) AS meter_frames, sum(call_errors_in) AS call_errors_in,
           sum(call_errors_out) AS call_errors_out, sum(unparsable_in) AS unparsable_in,
           max(max_gap_s) AS max_gap_s, avg(mean_gap_s) AS mean_gap_s,
           avg(stddev_gap_s) AS stddev_gap_s
    FROM stg_activity GROUP BY ALL
),
alerts AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           count(*) AS errors,
        count(*) FILTER (bucket = 'overcurrent') AS err_overcurrent,
        count(*) FILTER (bucket = 'overvoltage') AS err_overvoltage,
        count(*) FILTER (bucket = 'undervoltage') AS err_undervoltage,
        count(*) FILTER (bucket = 'ground') AS err_ground,
        count(*) FILTER (bucket = 'high_temperature') AS err_high_temperature,
        count(*) FILTER (bucket = 'connector_lock') AS err_connector_lock,
        count(*) FILTER (bucket = 'ev_communication') AS err_ev_communication,
        count(*) FILTER (bucket = 'power_meter') AS err_power_meter,
        count(*) FILTER (bucket = 'power_switch') AS err_power_switch,
        count(*) FILTER (bucket = 'internal') AS err_internal,
        count(*) FILTER (bucket = 'reader') AS err_reader,
        count(*) FILTER (bucket = 'other') AS err_other
    FROM (SELECT *, CASE
            WHEN code ILIKE '%overcurrent%' THEN 'overcurrent'
            WHEN code ILIKE '%overvoltage%' THEN 'overvoltage'
            WHEN code ILIKE '%undervoltage%' THEN 'undervoltage'
            WHEN code ILIKE '%ground%' THEN 'ground'
            WHEN code ILIKE '%temperature%' THEN 'high_temperature'
            WHEN code ILIKE '%lock%' THEN 'connector_lock'
            WHEN code ILIKE '%communication%' THEN 'ev_communication'
            WHEN code ILIKE '%meter%' THEN 'power_meter'
            WHEN code ILIKE '%switch%' THEN 'power_switch'
            WHEN code ILIKE '%internal%' THEN 'internal'
            WHEN code ILIKE '%reader%' THEN 'reader'
            ELSE 'other' END AS bucket
          FROM stg_alerts WHERE NOT coalesce(cleared, false))
    GROUP BY ALL
),
boots AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour, count(*) AS boots
    FROM stg_boots GROUP BY ALL
),
meter_gaps AS (
    SELECT charge_point_id, received_at,
           epoch(charger_time) - epoch(lag(charger_time) OVER w) AS gap_c,
           epoch(received_at) - epoch(lag(received_at) OVER w) AS gap_s
    FROM stg_meter
    WHERE transaction_id IS NOT NULL AND charger_time IS NOT NULL
    WINDOW w AS (PARTITION BY charge_point_id, port_no, transaction_id ORDER BY received_at, charger_time)
),
meter AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           count(*) AS mg_n, sum(gap_c) AS mg_sum, sum(gap_c * gap_c) AS mg_sq,
           sum(gap_c - gap_s) AS md_sum, sum((gap_c - gap_s) * (gap_c - gap_s)) AS md_sq
    FROM meter_gaps WHERE gap_c IS NOT NULL AND gap_s IS NOT NULL
    GROUP BY ALL
),
temps AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           count(*) AS t_n, sum(celsius) AS t_sum, max(celsius) AS t_max,
           sum(x) AS t_x, sum(x * x) AS t_xx, sum(x * celsius) AS t_xy
    FROM (SELECT *, (epoch(received_at) - epoch(getvariable('as_of'))) / 3600 AS x
          FROM stg_temperature WHERE celsius IS NOT NULL)
    GROUP BY ALL
),
attempts AS (
    SELECT charge_point_id, date_trunc('hour', known_at) AS hour,
           count(*) FILTER (kind = 'failed_start') AS failed_starts,
           count(*) FILTER (outcome = 'failed') AS failed_attempts,
           count(*) FILTER (outcome IN ('failed', 'success')) AS closed_attempts
    FROM charge_attempts GROUP BY ALL
),
faulted AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           max(received_at) AS last_faulted_at, count(*) AS faulted_reports
    FROM stg_status WHERE status = 'Faulted' GROUP BY ALL
),
usage AS (
    SELECT charge_point_id, hour, sum(session_min) AS session_min, sum(kwh) AS kwh
    FROM usage_port_hourly GROUP BY ALL
),
port_counts AS (
    SELECT charge_point_id, count(*) AS ports FROM usage_ports GROUP BY ALL
),
hourly AS (
    SELECT s.charge_point_id, s.hour,
           act.* EXCLUDE (charge_point_id, hour), al.* EXCLUDE (charge_point_id, hour),
           b.boots, m.* EXCLUDE (charge_point_id, hour), t.* EXCLUDE (charge_point_id, hour),
           at2.* EXCLUDE (charge_point_id, hour), f.* EXCLUDE (charge_point_id, hour),
           u.session_min, u.kwh
    FROM spine s
    LEFT JOIN act USING (charge_point_id, hour)
    LEFT JOIN alerts al USING (charge_point_id, hour)
    LEFT JOIN boots b USING (charge_point_id, hour)
    LEFT JOIN meter m USING (charge_point_id, hour)
    LEFT JOIN temps t USING (charge_point_id, hour)
    LEFT JOIN attempts at2 USING (charge_point_id, hour)
    LEFT JOIN faulted f USING (charge_point_id, hour)
    LEFT JOIN usage u USING (charge_point_id, hour)
),
windowed AS (
    SELECT
    h.charge_point_id, h.hour, h.hour + INTERVAL 1 HOUR AS feature_at,
    coalesce(h.frames_in, 0) AS frames_in_1h,
    sum(coalesce(h.frames_in, 0)) OVER d1 AS frames_in_24h,
    coalesce(h.heartbeats, 0) AS heartbeats_1h,
    coalesce(h.errors, 0) AS errors_1h,
    sum(coalesce(h.errors, 0)) OVER d6 AS errors_6h,
    sum(coalesce(h.errors, 0)) OVER d1 AS errors_24h,
    sum(coalesce(h.errors, 0)) OVER d2 AS errors_48h,
    sum(coalesce(h.errors, 0)) OVER w7 AS errors_7d,
    sum(coalesce(h.err_overcurrent, 0)) OVER d1 AS err_overcurrent_24h,
    sum(coalesce(h.err_overvoltage, 0)) OVER d1 AS err_overvoltage_24h,
    sum(coalesce(h.err_undervoltage, 0)) OVER d1 AS err_undervoltage_24h,
    sum(coalesce(h.err_ground, 0)) OVER d1 AS err_ground_24h,
    sum(coalesce(h.err_high_temperature, 0)) OVER d1 AS err_high_temperature_24h,
    sum(coalesce(h.err_connector_lock, 0)) OVER d1 AS err_connector_lock_24h,
    sum(coalesce(h.err_ev_communication, 0)) OVER d1 AS err_ev_communication_24h,
    sum(coalesce(h.err_power_meter, 0)) OVER d1 AS err_power_meter_24h,
    sum(coalesce(h.err_power_switch, 0)) OVER d1 AS err_power_switch_24h,
    sum(coalesce(h.err_internal, 0)) OVER d1 AS err_internal_24h,
    sum(coalesce(h.err_reader, 0)) OVER d1 AS err_reader_24h,
    sum(coalesce(h.err_other, 0)) OVER d1 AS err_other_24h,
    sum(coalesce(h.boots, 0)) OVER d6 AS reboots_6h,
    sum(coalesce(h.boots, 0)) OVER d1 AS reboots_24h,
    sum(coalesce(h.boots, 0)) OVER w7 AS reboots_7d,
    h.max_gap_s AS hb_gap_max_s_1h, h.mean_gap_s AS hb_gap_mean_s_1h,
    h.stddev_gap_s AS hb_gap_std_s_1h,
    max(h.max_gap_s) OVER d6 AS hb_gap_max_s_6h,
    max(h.max_gap_s) OVER d1 AS hb_gap_max_s_24h,
    avg(h.mean_gap_s) OVER w7 AS hb_gap_mean_s_7d,
    sum(h.mg_n) OVER d1 AS mg_n, sum(h.mg_sum) OVER d1 AS mg_sum, sum(h.mg_sq) OVER d1 AS mg_sq,
    sum(h.md_sum) OVER d1 AS md_sum, sum(h.md_sq) OVER d1 AS md_sq,
    sum(h.t_n) OVER d1 AS t_n, sum(h.t_sum) OVER d1 AS t_sum, max(h.t_max) OVER d1 AS temp_max_24h,
    max(h.t_max) OVER d6 AS temp_max_6h,
    sum(h.t_n) OVER d6 AS t6_n, sum(h.t_sum) OVER d6 AS t6_sum,
    sum(h.t_n) OVER w7 AS t7_n, sum(h.t_sum) OVER w7 AS t7_sum,
    sum(h.t_x) OVER d1 AS t_x, sum(h.t_xx) OVER d1 AS t_xx, sum(h.t_xy) OVER d1 AS t_xy,
    sum(coalesce(h.failed_starts, 0)) OVER d1 AS failed_starts_24h,
    sum(coalesce(h.failed_starts, 0)) OVER w7 AS failed_starts_7d,
    sum(coalesce(h.failed_attempts, 0)) OVER d1 AS failed_attempts_24h,
    sum(coalesce(h.closed_attempts, 0)) OVER d1 AS attempts_24h,
    coalesce(h.call_errors_in, 0) AS call_errors_in_1h,
    coalesce(h.call_errors_out, 0) AS call_errors_out_1h,
    sum(coalesce(h.call_errors_in, 0)) OVER d1 AS call_errors_in_24h,
    sum(coalesce(h.call_errors_out, 0)) OVER d1 AS call_errors_out_24h,
    sum(coalesce(h.unparsable_in, 0)) OVER d1 AS unparsable_in_24h,
    sum(coalesce(h.faulted_reports, 0)) OVER w7 AS faulted_reports_7d,
    max(h.last_faulted_at) OVER (PARTITION BY h.charge_point_id ORDER BY h.hour
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_faulted_at,
    sum(coalesce(h.session_min, 0)) OVER d1 AS session_min_24h,
    sum(coalesce(h.session_min, 0)) OVER w7 AS session_min_7d,
    sum(coalesce(h.kwh, 0)) OVER d1 AS kwh_24h,
    count(*) OVER d1 AS hours_24h,
    count(*) OVER w7 AS hours_7d
    FROM hourly h
    WINDOW d6 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 5 PRECEDING AND CURRENT ROW),
           d1 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 23 PRECEDING AND CURRENT ROW),
           d2 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 47 PRECEDING AND CURRENT ROW),
           w7 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 167 PRECEDING AND CURRENT ROW)
)
SELECT
    w.* EXCLUDE (mg_n, mg_sum, mg_sq, md_sum, md_sq, t_n, t_sum, t_x, t_xx, t_xy, last_faulted_at,
                 t6_n, t6_sum, t7_n, t7_sum,
                 session_min_24h, session_min_7d, hours_24h, hours_7d),
    w.mg_sum / w.mg_n AS meter_interval_mean_s_24h,
    CASE WHEN w.mg_n > 1 THEN sqrt(greatest(0, (w.mg_sq - w.mg_sum * w.mg_sum / w.mg_n) / (w.mg_n - 1))) END
        AS meter_interval_std_s_24h,
    w.md_sum / w.mg_n AS meter_drift_mean_s_24h,
    CASE WHEN w.mg_n > 1 THEN sqrt(greatest(0, (w.md_sq - w.md_sum * w.md_sum / w.mg_n) / (w.mg_n - 1))) END
        AS meter_drift_std_s_24h,
    w.t_sum / w.t_n AS temp_mean_24h,
    w.t6_sum / w.t6_n - w.t7_sum / w.t7_n AS temp_6h_above_7d,
    CASE WHEN w.t_n > 1 AND w.t_n * w.t_xx - w.t_x * w.t_x > 1e-9
         THEN (w.t_n * w.t_xy - w.t_x * w.t_sum) / (w.t_n * w.t_xx - w.t_x * w.t_x) END
        AS temp_slope_per_h_24h,
    (epoch(w.feature_at) - epoch(w.last_faulted_at)) / 3600 AS hours_since_fault,
    (epoch(w.feature_at) - epoch(coalesce(c.installed_at, c.first_seen_at))) / 86400
        AS charger_age_days,
    c.vendor, c.model, c.kind, c.rated_kw,
    coalesce(c.connectors, pc.ports) AS ports,
    CASE WHEN coalesce(c.connectors, pc.ports) > 0
         THEN w.session_min_24h / (coalesce(c.connectors, pc.ports) * w.hours_24h * 60) END
        AS util_24h,
    CASE WHEN coalesce(c.connectors, pc.ports) > 0
         THEN w.session_min_7d / (coalesce(c.connectors, pc.ports) * w.hours_7d * 60) END
        AS util_7d
FROM windowed w
LEFT JOIN dim_chargers c USING (charge_point_id)
LEFT JOIN port_counts pc USING (charge_point_id)
