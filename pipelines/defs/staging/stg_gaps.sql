-- Silences: consecutive frames from a charger further apart than its heartbeat interval times
-- the offline tolerance (DESIGN "Offline"). The interval is the one our BootNotification answer
-- gave, else the registry's, else 900 s. The day before is scanned, so a silence across midnight
-- is found on the day it ends; one begun earlier still (across days with no lake files) is
-- measured from the charger's last frame before them (prior_frames), whatever range is staged.
WITH frames AS (
    SELECT charge_point_id, received_at, date,
           lag(received_at) OVER (PARTITION BY charge_point_id ORDER BY received_at) AS previous_at
    FROM (
        SELECT charge_point_id, received_at, date FROM raw_ocpp_messages WHERE direction = 'in'
        UNION ALL
        SELECT charge_point_id, received_at, NULL::DATE FROM prior_frames
    )
)
SELECT f.charge_point_id, f.previous_at AS silent_from, f.received_at AS silent_until,
       epoch(f.received_at) - epoch(f.previous_at) AS gap_s,
       coalesce(i.heartbeat_interval_s, 900) AS heartbeat_interval_s, f.date
FROM frames f
LEFT JOIN charger_intervals i USING (charge_point_id)
WHERE f.date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
  AND epoch(f.received_at) - epoch(f.previous_at)
      > coalesce(i.heartbeat_interval_s, 900) * getvariable('offline_tolerance')
