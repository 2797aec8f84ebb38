-- Failure labels per charger and UTC hour (the rows of failure_features; feature_at = hour + 1 h):
-- next_fault_start_at = the start of the charger's next fault (faults: a port or the charger
-- entering Faulted for at least fault_min_minutes, from status reports only) at or after
-- feature_at; hours_to_next_fault from feature_at; fault_within_h = it starts before feature_at +
-- H hours, H = label_horizon_hours (horizon_h), and the same for 6 h and 48 h. A label is final
-- (label_final, per horizon) once feature_at + H <= as_of, or a fault already came within H;
-- otherwise it is NULL (censored: the future is not yet known).
WITH spine AS (
    SELECT charge_point_id, hour, feature_at FROM failure_features
),
starts AS (
    SELECT DISTINCT charge_point_id, start_at FROM faults
),
labelled AS (
    SELECT s.charge_point_id, s.hour, s.feature_at, f.start_at AS next_fault_start_at
    FROM spine s
    ASOF LEFT JOIN starts f
      ON f.charge_point_id = s.charge_point_id AND f.start_at >= s.feature_at
),
flags AS (
    SELECT *,
           (epoch(next_fault_start_at) - epoch(feature_at)) / 3600 AS hours_to_next_fault,
           (epoch(getvariable('as_of')) - epoch(feature_at)) / 3600 AS hours_seen_after
    FROM labelled
)
SELECT
    charge_point_id, hour, feature_at, next_fault_start_at, hours_to_next_fault,
    getvariable('label_horizon_hours') AS horizon_h,
    CASE WHEN hours_to_next_fault < getvariable('label_horizon_hours') THEN true
         WHEN hours_seen_after >= getvariable('label_horizon_hours') THEN false END AS fault_within_h,
    CASE WHEN hours_to_next_fault < 6 THEN true WHEN hours_seen_after >= 6 THEN false END
        AS fault_within_6h,
    CASE WHEN hours_to_next_fault < 48 THEN true WHEN hours_seen_after >= 48 THEN false END
        AS fault_within_48h,
    coalesce(hours_to_next_fault < getvariable('label_horizon_hours'), false)
        OR hours_seen_after >= getvariable('label_horizon_hours') AS label_final
FROM flags
