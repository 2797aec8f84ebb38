-- Per charger and UTC hour: frames received, heartbeats, call errors both ways, and the gaps
-- between consecutive frames from the charger (a gap belongs to the hour of the frame ending it;
-- the day before is scanned too, and the charger's last frame before that (prior_frames), so
-- the first gap of a day is measured whatever range is staged).
WITH frames AS (
    SELECT charge_point_id, received_at, direction, message_type, action, date,
           epoch(received_at) - epoch(lag(received_at) OVER w) AS gap_s
    FROM (
        SELECT charge_point_id, received_at, direction, message_type, action, date
        FROM raw_ocpp_messages WHERE direction = 'in'
        UNION ALL
        SELECT charge_point_id, received_at, 'in', NULL, NULL, NULL::DATE FROM prior_frames
    )
    WINDOW w AS (PARTITION BY charge_point_id ORDER BY received_at)
    UNION ALL
    SELECT charge_point_id, received_at, direction, message_type, action, date, NULL AS gap_s
    FROM raw_ocpp_messages
    WHERE direction = 'out' AND message_type = 4
)
SELECT
    charge_point_id,
    date_trunc('hour', received_at) AS hour,
    count(*) FILTER (direction = 'in') AS frames_in,
    count(*) FILTER (direction = 'in' AND action = 'Heartbeat' AND message_type = 2) AS heartbeats,
    count(*) FILTER (direction = 'in' AND action = 'MeterValues' AND message_type = 2) AS meter_frames,
    count(*) FILTER (direction = 'in' AND message_type = 4) AS call_errors_in,
    count(*) FILTER (direction = 'out') AS call_errors_out,
    count(*) FILTER (direction = 'in' AND message_type IS NULL) AS unparsable_in,
    max(gap_s) AS max_gap_s,
    avg(gap_s) AS mean_gap_s,
    stddev_samp(gap_s) AS stddev_gap_s,
    min(received_at) FILTER (direction = 'in') AS first_in,
    max(received_at) FILTER (direction = 'in') AS last_in,
    date
FROM frames
WHERE date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
GROUP BY charge_point_id, date_trunc('hour', received_at), date
