-- Fault episodes from status reports only (never from simulator truth): a port, or the charger as a
-- whole (port_no 0), entering Faulted, until its next non-Faulted status (still open at as_of:
-- end_at NULL, duration up to as_of). Only episodes lasting at least fault_min_minutes are kept:
-- ~1-minute trips the charger clears itself are not faults. error_code: the Faulted report's
-- errorCode, else the first alert (stg_alerts) of that charger within 2 minutes of the start.
WITH ordered AS (
    SELECT charge_point_id, port_no, received_at, seq, status, error_code,
           lag(status) OVER w AS prev_status
    FROM stg_status
    WHERE port_no IS NOT NULL
    WINDOW w AS (PARTITION BY charge_point_id, port_no ORDER BY received_at, seq)
),
changes AS (
    -- the first report of each run of equal-faultedness, and when the next run starts
    SELECT charge_point_id, port_no, received_at, status, error_code,
           lead(received_at) OVER w AS next_change_at, seq
    FROM ordered
    WHERE (coalesce(status, '') = 'Faulted') <> (coalesce(prev_status, '') = 'Faulted')
       OR prev_status IS NULL
    WINDOW w AS (PARTITION BY charge_point_id, port_no ORDER BY received_at, seq)
),
episodes AS (
    SELECT charge_point_id, port_no, received_at AS start_at, next_change_at AS end_at, error_code,
           (epoch(coalesce(next_change_at, getvariable('as_of'))) - epoch(received_at)) / 60
               AS duration_min
    FROM changes
    WHERE status = 'Faulted'
)
SELECT
    e.charge_point_id,
    e.port_no,
    e.charge_point_id || '/' || e.port_no AS port_id,
    c.site_id,
    e.start_at,
    e.end_at,
    e.duration_min,
    e.end_at IS NULL AS open,
    coalesce(e.error_code, (
        SELECT arg_min(a.code, a.received_at) FROM stg_alerts a
        WHERE a.charge_point_id = e.charge_point_id
          AND a.received_at BETWEEN e.start_at - INTERVAL 2 MINUTE AND e.start_at + INTERVAL 2 MINUTE
    )) AS error_code
FROM episodes e
LEFT JOIN dim_chargers c USING (charge_point_id)
WHERE e.duration_min >= getvariable('fault_min_minutes')
