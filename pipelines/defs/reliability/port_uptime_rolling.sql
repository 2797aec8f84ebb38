-- Port uptime over the previous 12 months ending as_of (NEVI 23 CFR 680.116(b)):
--   mu = (T - (T_outage - T_excluded)) / T x 100, T = 525,600 minutes (365 days before as_of);
-- for a port commissioned (first seen) inside that window T runs only from then.
-- T_outage: DOWN minutes (faulted, unavailable, charger offline; port_state_intervals);
-- T_excluded: DOWN minutes covered by exclusion windows (excluded_down_intervals).
-- uptime_pct clamped to [0, 100]; meets_nevi: uptime_pct > 97, so exactly 97 does not meet it
-- (the macro meets_nevi, pipelines/nevi.py).
WITH ports AS (
    SELECT port_id, any_value(charge_point_id) AS charge_point_id,
           any_value(port_no) AS port_no, any_value(site_id) AS site_id,
           min(from_at) AS start_at
    FROM port_state_intervals GROUP BY port_id
),
periods AS (
    SELECT *,
           greatest(getvariable('as_of') - INTERVAL 365 DAY, start_at) AS period_start,
           getvariable('as_of') AS period_end
    FROM ports
),
outage AS (
    SELECT p.port_id,
           sum(overlap_min(d.from_at, d.to_at, p.period_start, p.period_end)) AS outage_min
    FROM periods p JOIN port_state_intervals d
      ON d.port_id = p.port_id AND d.state = 'down'
     AND d.from_at < p.period_end AND d.to_at > p.period_start
    GROUP BY ALL
),
excluded AS (
    SELECT p.port_id,
           sum(overlap_min(x.from_at, x.to_at, p.period_start, p.period_end)) AS excluded_min
    FROM periods p JOIN excluded_down_intervals x
      ON x.port_id = p.port_id AND x.from_at < p.period_end AND x.to_at > p.period_start
    GROUP BY ALL
),
measured AS (
    SELECT p.port_id, p.charge_point_id, p.port_no, p.site_id,
           p.period_start AS uptime_reporting_start, p.period_end AS uptime_reporting_end,
           (epoch(p.period_end) - epoch(p.period_start)) / 60.0 AS period_min,
           coalesce(o.outage_min, 0.0) AS outage_min,
           coalesce(x.excluded_min, 0.0) AS excluded_min,
           p.period_start = getvariable('as_of') - INTERVAL 365 DAY AS full_period
    FROM periods p
    LEFT JOIN outage o USING (port_id)
    LEFT JOIN excluded x USING (port_id)
    WHERE p.period_end > p.period_start
),
scored AS (
    SELECT *,
           nevi_uptime_pct(period_min, outage_min, excluded_min) AS uptime_pct
    FROM measured
)
SELECT *, meets_nevi(uptime_pct) AS meets_nevi
FROM scored
ORDER BY port_id
