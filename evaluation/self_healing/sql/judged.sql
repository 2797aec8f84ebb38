-- Each reset judged by the truth: on a fault if one was on then (or ended < 10 min before);
-- averted one if the simulator logged an aversion on that charger as the reset landed; in a
-- precursor window of a long (not self-clearing) fault.
SELECT r.*,
       EXISTS (SELECT 1 FROM {truth} t
               WHERE t.kind = 'fault' AND t.charge_point_id = r.charge_point_id
                 AND r.answered_at BETWEEN t.start AND t."end" + INTERVAL 10 MINUTE) AS on_fault,
       EXISTS (SELECT 1 FROM {truth} t
               WHERE t.kind = 'averted' AND t.charge_point_id = r.charge_point_id
                 AND t."end" BETWEEN r.requested_at AND r.answered_at + INTERVAL 10 MINUTE)
           AS averted,
       EXISTS (SELECT 1 FROM {truth} t
               WHERE t.kind IN ('fault', 'near_miss', 'averted')
                 AND t.fault_type <> 'transient_trip' AND t.charge_point_id = r.charge_point_id
                 AND r.requested_at >= t.precursor_start AND r.requested_at < t.start)
           AS in_window
FROM resets r
