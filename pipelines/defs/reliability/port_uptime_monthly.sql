-- Port uptime by calendar month (UTC), NEVI 23 CFR 680.116(b):
--   mu = (T - (T_outage - T_excluded)) / T x 100
-- T: minutes in the reporting period = the month, from the port's commissioning (first seen)
-- when that falls inside it, and up to as_of for the current month (so a port commissioned or
-- first seen mid-month is measured only from then); over 12 months T = 525,600.
-- T_outage: minutes the port was DOWN (port_state_intervals: faulted, unavailable, or charger
-- offline); T_excluded: DOWN minutes covered by exclusion windows (excluded_down_intervals).
-- uptime_pct is clamped to [0, 100]. full_period: the period is the whole month.
WITH ports AS (
    SELECT port_id, any_value(charge_point_id) AS charge_point_id,
           any_value(port_no) AS port_no, any_value(site_id) AS site_id,
           min(from_at) AS start_at
    FROM port_state_intervals GROUP BY port_id
),
month_starts AS (
    SELECT unnest(generate_series(
        date_trunc('month', (SELECT min(start_at) FROM ports) AT TIME ZONE 'UTC'),
        (getvariable('as_of') AT TIME ZONE 'UTC'),
        INTERVAL 1 MONTH)) AS m
),
months AS (
    SELECT CAST(m AS DATE) AS month, m AT TIME ZONE 'UTC' AS month_start,
           (m + INTERVAL 1 MONTH) AT TIME ZONE 'UTC' AS month_end
    FROM month_starts
),
periods AS (
    SELECT p.*, m.month, m.month_start, m.month_end,
           greatest(m.month_start, p.start_at) AS period_start,
           least(m.month_end, getvariable('as_of')) AS period_end
    FROM ports p JOIN months m
      ON m.month_end > p.start_at AND m.month_start < getvariable('as_of')
),
outage AS (
    SELECT p.port_id, p.month,
           sum(overlap_min(d.from_at, d.to_at, p.period_start, p.period_end)) AS outage_min
    FROM periods p JOIN port_state_intervals d
      ON d.port_id = p.port_id AND d.state = 'down'
     AND d.from_at < p.period_end AND d.to_at > p.period_start
    GROUP BY ALL
),
excluded AS (
    SELECT p.port_id, p.month,
           sum(overlap_min(x.from_at, x.to_at, p.period_start, p.period_end)) AS excluded_min
    FROM periods p JOIN excluded_down_intervals x
      ON x.port_id = p.port_id AND x.from_at < p.period_end AND x.to_at > p.period_start
    GROUP BY ALL
),
measured AS (
    SELECT p.port_id, p.charge_point_id, p.port_no, p.site_id, p.month,
           p.period_start AS uptime_reporting_start, p.period_end AS uptime_reporting_end,
           (epoch(p.period_end) - epoch(p.period_start)) / 60.0 AS period_min,
           coalesce(o.outage_min, 0.0) AS outage_min,
           coalesce(x.excluded_min, 0.0) AS excluded_min,
           p.period_start = p.month_start AND p.period_end = p.month_end AS full_period
    FROM periods p
    LEFT JOIN outage o USING (port_id, month)
    LEFT JOIN excluded x USING (port_id, month)
    WHERE p.period_end > p.period_start
)
SELECT *,
       nevi_uptime_pct(period_min, outage_min, excluded_min) AS uptime_pct
FROM measured
ORDER BY port_id, month
