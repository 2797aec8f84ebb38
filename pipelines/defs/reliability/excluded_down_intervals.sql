-- Excluded outage time: the parts of each port's DOWN intervals (port_state_intervals) covered
-- by an exclusion window of its network, site, charger or port (exclusion_windows, causes
-- outside the operator's control per 23 CFR 680.116(b): utility outage, vehicle fault, scheduled
-- maintenance, vandalism, natural disaster, outside opening hours). Overlapping windows count
-- once (their union), so T_excluded never exceeds T_outage. One row per piece, [from_at, to_at).
WITH ports AS (
    SELECT DISTINCT port_id, charge_point_id, site_id FROM port_state_intervals
),
applicable AS (
    SELECT p.port_id, w.window_id, w.cause, w.start_at, w.end_at
    FROM exclusion_windows w
    JOIN ports p
      ON (w.scope = 'network')
      OR (w.scope = 'site' AND w.target = p.site_id)
      OR (w.scope = 'charger' AND w.target = p.charge_point_id)
      OR (w.scope = 'port' AND w.target = p.port_id)
    WHERE w.end_at > w.start_at
),
ordered AS (
    SELECT *,
           max(end_at) OVER (PARTITION BY port_id ORDER BY start_at, end_at
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
    FROM applicable
),
islands AS (
    SELECT *,
           sum(CASE WHEN prev_end IS NULL OR start_at > prev_end THEN 1 ELSE 0 END) OVER (
               PARTITION BY port_id ORDER BY start_at, end_at) AS island
    FROM ordered
),
covered AS (
    SELECT port_id, min(start_at) AS start_at, max(end_at) AS end_at,
           string_agg(DISTINCT cause, ',' ORDER BY cause) AS causes,
           string_agg(DISTINCT window_id, ',' ORDER BY window_id) AS window_ids
    FROM islands
    GROUP BY port_id, island
)
SELECT d.port_id, d.charge_point_id, d.site_id,
       greatest(d.from_at, c.start_at) AS from_at, least(d.to_at, c.end_at) AS to_at,
       d.cause AS outage_cause, c.causes AS exclusion_causes, c.window_ids,
       overlap_min(d.from_at, d.to_at, c.start_at, c.end_at) AS duration_min
FROM port_state_intervals d
JOIN covered c
  ON c.port_id = d.port_id AND c.start_at < d.to_at AND c.end_at > d.from_at
WHERE d.state = 'down'
ORDER BY d.port_id, from_at
