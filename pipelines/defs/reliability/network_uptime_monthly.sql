-- Network uptime by month (UTC), port-minute weighted over every port (port_uptime_monthly):
--   uptime_pct = (sum T - (sum T_outage - sum T_excluded)) / sum T x 100, clamped to [0, 100].
-- ports_below_97: ports whose own monthly uptime does not meet NEVI, i.e. is at most 97 %
-- (meets_nevi: > 97, pipelines/nevi.py).
WITH totals AS (
    SELECT month, count(*) AS ports, sum(period_min) AS port_min,
           sum(outage_min) AS outage_min, sum(excluded_min) AS excluded_min,
           count(*) FILTER (NOT meets_nevi(uptime_pct)) AS ports_below_97
    FROM port_uptime_monthly
    GROUP BY month
)
SELECT *,
       nevi_uptime_pct(port_min, outage_min, excluded_min) AS uptime_pct
FROM totals
WHERE port_min > 0
ORDER BY month
