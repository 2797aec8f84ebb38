-- Status intervals per port: [from_at, to_at) with the port's reported status, from consecutive
-- StatusNotification reports (server clock received_at); to_at is the next report with a
-- different status/error on that port, or as_of (ongoing). Repeated identical reports are merged.
-- port_no 0 (1.6 connectorId 0) is the charger as a whole and is its own series (port_id
-- '<charge_point_id>/0'); its Faulted/Unavailable applies to every port of the charger.
WITH reports AS (
    SELECT charge_point_id, port_no, received_at, status, status_class, error_code,
           vendor_error_code, info, unique_id, seq
    FROM stg_status
    WHERE port_no IS NOT NULL AND port_no >= 0 AND received_at <= getvariable('as_of')
),
flagged AS (
    SELECT *,
           CASE WHEN lag(status) OVER w IS NOT DISTINCT FROM status
                 AND lag(error_code) OVER w IS NOT DISTINCT FROM error_code
                THEN 0 ELSE 1 END AS is_change
    FROM reports
    WINDOW w AS (PARTITION BY charge_point_id, port_no ORDER BY received_at, seq)
),
changes AS (
    SELECT * EXCLUDE (is_change) FROM flagged WHERE is_change = 1
),
intervals AS (
    SELECT charge_point_id, port_no, received_at AS from_at,
           lead(received_at) OVER (PARTITION BY charge_point_id, port_no
                                   ORDER BY received_at, seq) AS next_at,
           status, status_class, error_code, vendor_error_code, info
    FROM changes
)
SELECT charge_point_id || '/' || port_no AS port_id, charge_point_id, port_no,
       from_at, coalesce(next_at, getvariable('as_of')) AS to_at,
       status, status_class, error_code, vendor_error_code, info,
       (epoch(coalesce(next_at, getvariable('as_of'))) - epoch(from_at)) / 60.0 AS duration_min,
       next_at IS NULL AS ongoing
FROM intervals
-- A report superseded in the same instant (a trip reported and cleared in one tick) lasted no
-- time: dropped, so a point-in-time lookup (ASOF) never picks it over its successor.
WHERE next_at IS NULL OR next_at > from_at
ORDER BY charge_point_id, port_no, from_at
