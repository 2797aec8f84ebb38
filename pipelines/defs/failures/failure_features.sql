-- Failure-prediction features per charger and UTC hour. The row for hour h describes the charger
-- at feature_at = h + 1 hour (the end of the hour) and uses ONLY data received before feature_at:
-- every window is over the current and preceding hours of a dense hourly spine (each charger from
-- its first frame, or first_seen_at, to as_of's hour; hours with no frame are rows with zero
-- counts), so a later event never changes an earlier row. Windows: _1h = the hour itself, _6h,
-- _24h, _48h and _96h = the 6, 24, 48 and 96 hours ending at feature_at, _7d = 168 hours. Short
-- windows beside long ones let a model see a signal accelerating (wear does) against the
-- charger's own baseline (temperature and heartbeat gaps vs its 7 days).
-- Columns: frames received (frames_in_1h/_24h, heartbeats_1h); error codes (stg_alerts, not
-- cleared): errors_1h/_6h/_24h/_48h/_7d and by family, err_<family>_24h (overcurrent,
-- overvoltage, undervoltage, ground, high_temperature, connector_lock, ev_communication,
-- power_meter, power_switch, internal, reader, other); warnings = the codes a connector reported
-- while not Faulted (the code of a Faulted report describes a fault already on, mostly
-- self-clearing trips, and outnumbers the early warnings many times over): warnings_6h/_24h/_48h/
-- _96h, warn_<family>_6h/_24h/_48h for the six ChargeX families (overcurrent .. connector_lock),
-- warning_families_24h (how many of the six warned), hours_since_warning (NULL if none yet) and
-- warning_span_h_96h (from the first warning of the last 96 h to feature_at: how long a signal has
-- been building; NULL if none); reboots (stg_boots) over 6 h, 24 h, 48 h, 7 d and
-- hours_since_reboot (NULL if none yet); heartbeat gaps between frames (stg_activity: the hour's
-- max/mean/stddev, the 6 h and 24 h max, the 7 d mean); MeterValues interval: mean and stddev of
-- consecutive charger_time gaps of one transaction's samples, and the clock drift = charger gap
-- minus server (received_at) gap, mean and stddev, over 24 h; temperature: 24 h mean/max, 6 h
-- max, slope over 24 h (degC per hour, least squares), the 6 h mean and the 6 h max above the
-- 7 d mean; failed starts (24 h, 7 d), failed and closed attempts (24 h) (charge_attempts, at the
-- time their outcome was known); call errors in/out (1 h, 24 h) and unparsable frames (24 h);
-- Faulted reports in 7 d and hours since the last one (NULL if none yet); charger age in days
-- (installed_at, else first_seen_at); vendor/model/kind/rated_kw/ports; kwh_24h (the increments
-- of a transaction's energy register between its samples, in the hour the later one was
-- received); time-based utilisation util_24h/util_7d (port-minutes in a session / (ports x
-- minutes)), a session holding its port from its first transaction event until its end event,
-- the charger's next boot, the port's next session or session_timeout_hours of silence, whichever
-- the server saw first (the sessions mart rewrites a session once its stop arrives; these do not).
-- Incremental: with getvariable('failure_features_from') set, only the rows from that hour on
-- (their windows read the 167 hours before it); a full build leaves it NULL.
WITH look AS (
    -- where the windows of the rows built begin: 167 hours (the longest window, 7 d) before the
    -- first hour an incremental build rebuilds; -infinity for a full build
    SELECT coalesce(getvariable('failure_features_from')::TIMESTAMPTZ - INTERVAL 167 HOUR,
                    '-infinity'::TIMESTAMPTZ) AS back_to
),
chargers AS (
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
           unnest(range(greatest(first_hour, (SELECT back_to FROM look)),
                        date_trunc('hour', getvariable('as_of')) + INTERVAL 1 SECOND,
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
    FROM stg_activity
    WHERE hour >= (SELECT back_to FROM look)
    GROUP BY ALL
),
port_states AS (
    -- one row per port and arrival time, Faulted if any report then was: a trip that clears
    -- within the second has its Faulted and Available reports at one received_at
    SELECT charge_point_id, port_no, received_at, bool_or(status = 'Faulted') AS faulted
    FROM stg_status GROUP BY ALL
),
alert_rows AS (
    SELECT a.*, CASE
            WHEN a.code ILIKE '%overcurrent%' THEN 'overcurrent'
            WHEN a.code ILIKE '%overvoltage%' THEN 'overvoltage'
            WHEN a.code ILIKE '%undervoltage%' THEN 'undervoltage'
            WHEN a.code ILIKE '%ground%' THEN 'ground'
            WHEN a.code ILIKE '%temperature%' THEN 'high_temperature'
            WHEN a.code ILIKE '%lock%' THEN 'connector_lock'
            WHEN a.code ILIKE '%communication%' THEN 'ev_communication'
            WHEN a.code ILIKE '%meter%' THEN 'power_meter'
            WHEN a.code ILIKE '%switch%' THEN 'power_switch'
            WHEN a.code ILIKE '%internal%' THEN 'internal'
            WHEN a.code ILIKE '%reader%' THEN 'reader'
            ELSE 'other' END AS bucket,
        -- 1.6 carries the status in the message; 2.0.1 sends the status first, then NotifyEvent
        NOT coalesce(a.status = 'Faulted', s.faulted, false) AS warning
    FROM stg_alerts a
    ASOF LEFT JOIN port_states s
      ON s.charge_point_id = a.charge_point_id AND s.port_no = a.port_no
     AND a.received_at >= s.received_at
    WHERE NOT coalesce(a.cleared, false)
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
        count(*) FILTER (bucket = 'other') AS err_other,
        count(*) FILTER (warning) AS warnings,
        count(*) FILTER (warning AND bucket = 'overcurrent') AS warn_overcurrent,
        count(*) FILTER (warning AND bucket = 'overvoltage') AS warn_overvoltage,
        count(*) FILTER (warning AND bucket = 'undervoltage') AS warn_undervoltage,
        count(*) FILTER (warning AND bucket = 'ground') AS warn_ground,
        count(*) FILTER (warning AND bucket = 'high_temperature') AS warn_high_temperature,
        count(*) FILTER (warning AND bucket = 'connector_lock') AS warn_connector_lock,
        min(received_at) FILTER (warning) AS first_warning_at,
        max(received_at) FILTER (warning) AS last_warning_at
    FROM alert_rows
    GROUP BY ALL
),
boots AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour, count(*) AS boots,
           max(received_at) AS last_boot_at
    FROM stg_boots GROUP BY ALL
),
live_tx AS (
    -- incremental: the transactions that can touch an hour of the look-back, i.e. with a sign
    -- after its start minus session_timeout_hours (a span ends by its last sign + the timeout);
    -- their windows (sample gaps, register increments, silences) read all their samples
    SELECT charge_point_id, transaction_id
    FROM (SELECT charge_point_id, transaction_id, received_at FROM stg_tx_events
          UNION ALL
          SELECT charge_point_id, transaction_id, received_at FROM stg_meter)
    WHERE transaction_id IS NOT NULL
    GROUP BY ALL
    HAVING max(received_at) >= (SELECT back_to FROM look)
        - to_microseconds(CAST(getvariable('session_timeout_hours') * 3600e6 AS BIGINT))
),
tx_meter AS (
    SELECT m.* FROM stg_meter m SEMI JOIN live_tx USING (charge_point_id, transaction_id)
),
meter_gaps AS (
    SELECT charge_point_id, received_at,
           epoch(charger_time) - epoch(lag(charger_time) OVER w) AS gap_c,
           epoch(received_at) - epoch(lag(received_at) OVER w) AS gap_s
    FROM tx_meter
    WHERE charger_time IS NOT NULL
    WINDOW w AS (PARTITION BY charge_point_id, port_no, transaction_id ORDER BY received_at, charger_time)
),
meter AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           count(*) AS mg_n, sum(gap_c) AS mg_sum, sum(gap_c * gap_c) AS mg_sq,
           sum(gap_c - gap_s) AS md_sum, sum((gap_c - gap_s) * (gap_c - gap_s)) AS md_sq
    FROM meter_gaps WHERE gap_c IS NOT NULL AND gap_s IS NOT NULL
      AND received_at >= (SELECT back_to FROM look)
    GROUP BY ALL
),
temps AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           count(*) AS t_n, sum(celsius) AS t_sum, max(celsius) AS t_max,
           sum(x) AS t_x, sum(x * x) AS t_xx, sum(x * celsius) AS t_xy
    FROM (SELECT *, (epoch(received_at) - epoch(getvariable('as_of'))) / 3600 AS x
          FROM stg_temperature WHERE celsius IS NOT NULL
           AND received_at >= (SELECT back_to FROM look))
    GROUP BY ALL
),
attempts AS (
    SELECT charge_point_id, date_trunc('hour', known_at) AS hour,
           count(*) FILTER (kind = 'failed_start') AS failed_starts,
           count(*) FILTER (outcome = 'failed') AS failed_attempts,
           count(*) FILTER (outcome IN ('failed', 'success')) AS closed_attempts
    FROM charge_attempts WHERE known_at >= (SELECT back_to FROM look) GROUP BY ALL
),
faulted AS (
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           max(received_at) AS last_faulted_at, count(*) AS faulted_reports
    FROM stg_status WHERE status = 'Faulted' GROUP BY ALL
),
tx AS (
    -- a transaction as the server learnt of it: its first event, its end event's arrival
    SELECT charge_point_id, transaction_id,
           arg_min(port_no, received_at) FILTER (port_no > 0) AS port_no,
           min(received_at) AS start_at,
           min(received_at) FILTER (event = 'ended') AS end_at
    FROM stg_tx_events WHERE transaction_id IS NOT NULL
    GROUP BY ALL
),
tx_signs AS (
    SELECT charge_point_id, transaction_id, received_at,
           lead(received_at) OVER (PARTITION BY charge_point_id, transaction_id
                                   ORDER BY received_at) AS next_sign_at
    FROM (SELECT charge_point_id, transaction_id, received_at FROM stg_tx_events
          SEMI JOIN live_tx USING (charge_point_id, transaction_id)
          UNION ALL
          SELECT charge_point_id, transaction_id, received_at FROM tx_meter)
),
tx_given_up AS (
    -- a session with no stop is given up session_timeout_hours into its first silence that long,
    -- as an observer would at the time (the sessions mart trims it back to its last sign later)
    SELECT charge_point_id, transaction_id,
           min(received_at + t.timeout)
               FILTER (next_sign_at IS NULL OR next_sign_at - received_at > t.timeout) AS given_up_at
    FROM tx_signs,
         (SELECT to_microseconds(CAST(getvariable('session_timeout_hours') * 3600e6 AS BIGINT))
              AS timeout) t
    GROUP BY ALL
),
tx_spans AS (
    -- ends at its stop, else the charger's next boot, the port's next session or the give-up,
    -- whichever the server saw first; open ones run to as_of (every transaction here, for the
    -- port's next start; port_busy keeps the live ones)
    SELECT x.charge_point_id, x.transaction_id, x.port_no, x.start_at,
           least(x.end_at, g.given_up_at, b.received_at, getvariable('as_of'),
                 lead(x.start_at) OVER (PARTITION BY x.charge_point_id, x.port_no ORDER BY x.start_at))
               AS end_at
    FROM tx x
    LEFT JOIN tx_given_up g USING (charge_point_id, transaction_id)
    ASOF LEFT JOIN stg_boots b
      ON b.charge_point_id = x.charge_point_id AND b.received_at > x.start_at
    WHERE x.port_no IS NOT NULL
),
port_busy AS (
    SELECT charge_point_id, port_no, hour,
           least(60, sum(greatest(0, overlap_min(start_at, end_at, hour, hour + INTERVAL 1 HOUR))))
               AS session_min
    FROM (SELECT *, unnest(range(date_trunc('hour', start_at),
                                 greatest(end_at, date_trunc('hour', start_at) + INTERVAL 1 SECOND),
                                 INTERVAL 1 HOUR)) AS hour
          FROM tx_spans SEMI JOIN live_tx USING (charge_point_id, transaction_id))
    GROUP BY ALL
),
energy AS (
    -- register increments between a transaction's samples, in the hour the later one arrived
    SELECT charge_point_id, date_trunc('hour', received_at) AS hour,
           sum(greatest(0, energy_wh - prev_wh)) / 1000 AS kwh
    FROM (SELECT charge_point_id, received_at, energy_wh,
                 lag(energy_wh) OVER (PARTITION BY charge_point_id, transaction_id
                                      ORDER BY received_at, charger_time) AS prev_wh
          FROM tx_meter WHERE energy_wh IS NOT NULL)
    GROUP BY ALL
),
usage AS (
    SELECT charge_point_id, hour, sum(session_min) AS session_min, sum(kwh) AS kwh
    FROM (SELECT charge_point_id, hour, session_min, 0 AS kwh FROM port_busy
          UNION ALL
          SELECT charge_point_id, hour, 0, kwh FROM energy)
    GROUP BY ALL
),
port_counts AS (
    SELECT charge_point_id, count(*) AS ports FROM usage_ports GROUP BY ALL
),
marks AS (
    -- the last warning, Faulted report and boot up to each hour that had one: joined "as of" the
    -- row's hour, so an incremental build that starts its spine late still sees older ones
    SELECT charge_point_id, hour,
           max(last_warning_at) OVER w AS last_warning_at,
           max(last_faulted_at) OVER w AS last_faulted_at,
           max(last_boot_at) OVER w AS last_boot_at
    FROM (SELECT charge_point_id, hour, max(last_warning_at) AS last_warning_at,
                 max(last_faulted_at) AS last_faulted_at, max(last_boot_at) AS last_boot_at
          FROM (SELECT charge_point_id, hour, last_warning_at, NULL::TIMESTAMPTZ AS last_faulted_at,
                       NULL::TIMESTAMPTZ AS last_boot_at
                FROM alerts WHERE last_warning_at IS NOT NULL
                UNION ALL
                SELECT charge_point_id, hour, NULL, last_faulted_at, NULL FROM faulted
                UNION ALL
                SELECT charge_point_id, hour, NULL, NULL, last_boot_at FROM boots)
          GROUP BY charge_point_id, hour)
    WINDOW w AS (PARTITION BY charge_point_id ORDER BY hour
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
hourly AS (
    SELECT s.charge_point_id, s.hour,
           act.* EXCLUDE (charge_point_id, hour), al.* EXCLUDE (charge_point_id, hour),
           b.* EXCLUDE (charge_point_id, hour), m.* EXCLUDE (charge_point_id, hour), t.* EXCLUDE (charge_point_id, hour),
           at2.* EXCLUDE (charge_point_id, hour), f.* EXCLUDE (charge_point_id, hour),
           u.session_min, u.kwh, mk.last_warning_at AS mark_warning_at,
           mk.last_faulted_at AS mark_faulted_at, mk.last_boot_at AS mark_boot_at
    FROM spine s
    LEFT JOIN act USING (charge_point_id, hour)
    LEFT JOIN alerts al USING (charge_point_id, hour)
    LEFT JOIN boots b USING (charge_point_id, hour)
    LEFT JOIN meter m USING (charge_point_id, hour)
    LEFT JOIN temps t USING (charge_point_id, hour)
    LEFT JOIN attempts at2 USING (charge_point_id, hour)
    LEFT JOIN faulted f USING (charge_point_id, hour)
    LEFT JOIN usage u USING (charge_point_id, hour)
    ASOF LEFT JOIN marks mk ON mk.charge_point_id = s.charge_point_id AND s.hour >= mk.hour
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
    sum(coalesce(h.warnings, 0)) OVER d6 AS warnings_6h,
    sum(coalesce(h.warnings, 0)) OVER d1 AS warnings_24h,
    sum(coalesce(h.warnings, 0)) OVER d2 AS warnings_48h,
    sum(coalesce(h.warnings, 0)) OVER d4 AS warnings_96h,
    sum(coalesce(h.warn_overcurrent, 0)) OVER d6 AS warn_overcurrent_6h,
    sum(coalesce(h.warn_overcurrent, 0)) OVER d1 AS warn_overcurrent_24h,
    sum(coalesce(h.warn_overcurrent, 0)) OVER d2 AS warn_overcurrent_48h,
    sum(coalesce(h.warn_overvoltage, 0)) OVER d6 AS warn_overvoltage_6h,
    sum(coalesce(h.warn_overvoltage, 0)) OVER d1 AS warn_overvoltage_24h,
    sum(coalesce(h.warn_overvoltage, 0)) OVER d2 AS warn_overvoltage_48h,
    sum(coalesce(h.warn_undervoltage, 0)) OVER d6 AS warn_undervoltage_6h,
    sum(coalesce(h.warn_undervoltage, 0)) OVER d1 AS warn_undervoltage_24h,
    sum(coalesce(h.warn_undervoltage, 0)) OVER d2 AS warn_undervoltage_48h,
    sum(coalesce(h.warn_ground, 0)) OVER d6 AS warn_ground_6h,
    sum(coalesce(h.warn_ground, 0)) OVER d1 AS warn_ground_24h,
    sum(coalesce(h.warn_ground, 0)) OVER d2 AS warn_ground_48h,
    sum(coalesce(h.warn_high_temperature, 0)) OVER d6 AS warn_high_temperature_6h,
    sum(coalesce(h.warn_high_temperature, 0)) OVER d1 AS warn_high_temperature_24h,
    sum(coalesce(h.warn_high_temperature, 0)) OVER d2 AS warn_high_temperature_48h,
    sum(coalesce(h.warn_connector_lock, 0)) OVER d6 AS warn_connector_lock_6h,
    sum(coalesce(h.warn_connector_lock, 0)) OVER d1 AS warn_connector_lock_24h,
    sum(coalesce(h.warn_connector_lock, 0)) OVER d2 AS warn_connector_lock_48h,
    min(h.first_warning_at) OVER d4 AS first_warning_at_96h,
    h.mark_warning_at AS last_warning_at,
    sum(coalesce(h.boots, 0)) OVER d6 AS reboots_6h,
    sum(coalesce(h.boots, 0)) OVER d1 AS reboots_24h,
    sum(coalesce(h.boots, 0)) OVER d2 AS reboots_48h,
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
    h.mark_faulted_at AS last_faulted_at,
    h.mark_boot_at AS last_boot_at,
    sum(coalesce(h.session_min, 0)) OVER d1 AS session_min_24h,
    sum(coalesce(h.session_min, 0)) OVER w7 AS session_min_7d,
    sum(coalesce(h.kwh, 0)) OVER d1 AS kwh_24h,
    count(*) OVER d1 AS hours_24h,
    count(*) OVER w7 AS hours_7d
    FROM hourly h
    WINDOW d6 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 5 PRECEDING AND CURRENT ROW),
           d1 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 23 PRECEDING AND CURRENT ROW),
           d2 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 47 PRECEDING AND CURRENT ROW),
           d4 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 95 PRECEDING AND CURRENT ROW),
           w7 AS (PARTITION BY h.charge_point_id ORDER BY h.hour ROWS BETWEEN 167 PRECEDING AND CURRENT ROW)
)
SELECT
    w.* EXCLUDE (mg_n, mg_sum, mg_sq, md_sum, md_sq, t_n, t_sum, t_x, t_xx, t_xy, last_faulted_at,
                 t6_n, t6_sum, t7_n, t7_sum, first_warning_at_96h, last_warning_at, last_boot_at,
                 session_min_24h, session_min_7d, hours_24h, hours_7d),
    (w.warn_overcurrent_24h > 0)::INT + (w.warn_overvoltage_24h > 0)::INT
        + (w.warn_undervoltage_24h > 0)::INT + (w.warn_ground_24h > 0)::INT
        + (w.warn_high_temperature_24h > 0)::INT + (w.warn_connector_lock_24h > 0)::INT
        AS warning_families_24h,
    (epoch(w.feature_at) - epoch(w.last_warning_at)) / 3600 AS hours_since_warning,
    (epoch(w.feature_at) - epoch(w.first_warning_at_96h)) / 3600 AS warning_span_h_96h,
    (epoch(w.feature_at) - epoch(w.last_boot_at)) / 3600 AS hours_since_reboot,
    w.mg_sum / w.mg_n AS meter_interval_mean_s_24h,
    CASE WHEN w.mg_n > 1 THEN sqrt(greatest(0, (w.mg_sq - w.mg_sum * w.mg_sum / w.mg_n) / (w.mg_n - 1))) END
        AS meter_interval_std_s_24h,
    w.md_sum / w.mg_n AS meter_drift_mean_s_24h,
    CASE WHEN w.mg_n > 1 THEN sqrt(greatest(0, (w.md_sq - w.md_sum * w.md_sum / w.mg_n) / (w.mg_n - 1))) END
        AS meter_drift_std_s_24h,
    w.t_sum / w.t_n AS temp_mean_24h,
    w.t6_sum / w.t6_n - w.t7_sum / w.t7_n AS temp_6h_above_7d,
    w.temp_max_6h - w.t7_sum / w.t7_n AS temp_max_6h_above_7d,
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
WHERE w.hour >= coalesce(getvariable('failure_features_from')::TIMESTAMPTZ, w.hour)
