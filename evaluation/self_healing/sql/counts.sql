-- The arm's counts, one column each, named as the A/B table prints them.
SELECT
    (SELECT count(*) FILTER (NOT meets_nevi) FROM {port_uptime_rolling}) AS "ports below 97 %",
    (SELECT coalesce(sum(duration_min) FILTER (cause = 'faulted'), 0) / 60 FROM {outages})
        AS "faulted port-hours",
    (SELECT coalesce(sum(duration_min), 0) / 60 FROM {outages}) AS "all outage port-hours",
    (SELECT coalesce(sum(failures), 0) FROM {charge_success_daily}) AS "failed charge attempts",
    (SELECT count(*) FROM {sessions}) AS "sessions",
    (SELECT count(*) FROM resets) AS "self-healing resets",
    (SELECT count(*) FROM resets WHERE trigger = 'predicted') AS "resets on a model alert",
    (SELECT count(*) FROM {truth} WHERE kind = 'session_interrupted')
        AS "sessions interrupted by resets (truth)",
    -- From the truth: the lake's charging_end_at is the next meter sample after the last one
    -- with power, so a reset just after an EV stopped drawing would count.
    (SELECT count(*) FROM {truth}
     WHERE kind = 'session_interrupted' AND detail LIKE '%while Charging')
        AS "resets during energy delivery (truth)",
    (SELECT count(*) FROM judged WHERE NOT on_fault) AS "false resets (no fault on, truth)",
    (SELECT count(*) FROM judged WHERE NOT on_fault AND NOT averted)
        AS "false resets (no fault on, none averted, truth)",
    (SELECT count(*) FROM judged WHERE trigger = 'predicted' AND in_window)
        AS "model resets inside a precursor window (truth)",
    (SELECT count(*) FROM {truth} WHERE kind = 'fault' AND fault_type <> 'transient_trip')
        AS "long faults (truth)",
    (SELECT count(*) FROM {truth}
     WHERE kind = 'fault' AND curable AND fault_type <> 'transient_trip')
        AS "curable long faults (truth)",
    (SELECT count(*) FROM {truth}
     WHERE (kind = 'fault' AND curable AND fault_type <> 'transient_trip') OR kind = 'averted')
        AS "curable long faults, on or averted (truth)",
    (SELECT count(*) FROM {truth} WHERE kind = 'averted' AND ended_by = 'reset')
        AS "curable faults averted by a reset before onset (truth)",
    (SELECT count(*) FROM {truth}
     WHERE kind = 'fault' AND ended_by = 'reset' AND fault_type <> 'transient_trip')
        AS "long faults ended by a reset (truth)"
