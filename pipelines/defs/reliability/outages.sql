-- Outages: one row per contiguous DOWN episode of a port (port_state_intervals; the cause may
-- change inside an episode: cause is the one with the most minutes, causes lists all).
-- outage_id '<port_id>@<start, UTC ISO>'. An outage still going at as_of has end_at = as_of and
-- ongoing = true. excluded_min: minutes covered by exclusion windows (excluded_down_intervals);
-- excluded = the whole outage is excluded; exclusion_causes / exclusion_window_ids list them.
-- ticket_id: the maintenance ticket of the outage's charger open at some time during the
-- outage (the first opened, if several), NULL if none.
WITH down AS (
    SELECT *,
           CASE WHEN lag(to_at) OVER (PARTITION BY port_id ORDER BY from_at) = from_at
                 AND lag(state) OVER (PARTITION BY port_id ORDER BY from_at) = 'down'
                THEN 0 ELSE 1 END AS is_start
    FROM port_state_intervals
),
numbered AS (
    SELECT *, sum(is_start) OVER (PARTITION BY port_id ORDER BY from_at) AS episode
    FROM down
),
by_cause AS (
    SELECT port_id, episode, cause, sum(duration_min) AS minutes
    FROM numbered WHERE state = 'down'
    GROUP BY ALL
),
episodes AS (
    SELECT port_id, any_value(charge_point_id) AS charge_point_id, any_value(port_no) AS port_no,
           any_value(site_id) AS site_id, episode, min(from_at) AS start_at, max(to_at) AS end_at,
           arg_max(error_code, duration_min) FILTER (
               error_code IS NOT NULL AND cause <> 'offline') AS fault_error_code,
           arg_max(error_code, duration_min) FILTER (error_code IS NOT NULL) AS main_error_code
    FROM numbered
    WHERE state = 'down'
    GROUP BY port_id, episode
),
causes AS (
    SELECT port_id, episode, arg_max(cause, minutes) AS cause,
           string_agg(cause, ',' ORDER BY cause) AS causes
    FROM by_cause GROUP BY ALL
),
excluded AS (
    SELECT e.port_id, e.episode, sum(x.duration_min) AS excluded_min,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(x.exclusion_causes, ','))))), ',') AS exclusion_causes,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(x.window_ids, ','))))), ',') AS exclusion_window_ids
    FROM episodes e
    JOIN excluded_down_intervals x
      ON x.port_id = e.port_id AND x.from_at >= e.start_at AND x.to_at <= e.end_at
    GROUP BY ALL
),
linked AS (
    SELECT e.port_id, e.episode, arg_min(k.ticket_id, k.created_at) AS ticket_id
    FROM episodes e
    JOIN tickets k
      ON k.charge_point_id = e.charge_point_id AND k.created_at <= e.end_at
     AND (k.closed_at IS NULL OR k.closed_at >= e.start_at)
    GROUP BY ALL
)
SELECT e.port_id || '@' || strftime(e.start_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')
           AS outage_id,
       e.port_id, e.charge_point_id, e.port_no, e.site_id, e.start_at, e.end_at,
       e.end_at = getvariable('as_of') AS ongoing,
       (epoch(e.end_at) - epoch(e.start_at)) / 60.0 AS duration_min,
       c.cause, c.causes,
       CASE WHEN c.cause = 'offline' THEN e.main_error_code
            ELSE coalesce(e.fault_error_code, e.main_error_code) END AS error_code,
       coalesce(x.excluded_min, 0.0) AS excluded_min,
       coalesce(x.excluded_min, 0.0) >= (epoch(e.end_at) - epoch(e.start_at)) / 60.0 - 1e-9
           AS excluded,
       x.exclusion_causes, x.exclusion_window_ids, k.ticket_id
FROM episodes e
JOIN causes c USING (port_id, episode)
LEFT JOIN excluded x USING (port_id, episode)
LEFT JOIN linked k USING (port_id, episode)
ORDER BY e.port_id, e.start_at
