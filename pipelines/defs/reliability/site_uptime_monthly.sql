-- Site uptime by month (UTC), port-minute weighted over the site's ports (port_uptime_monthly):
--   uptime_pct = (sum T - (sum T_outage - sum T_excluded)) / sum T x 100, clamped to [0, 100],
-- so a port measured for part of the month weighs by its minutes. site_id NULL: ports whose
-- charger has no site in the registry.
WITH totals AS (
    SELECT site_id, month, count(*) AS ports, sum(period_min) AS port_min,
           sum(outage_min) AS outage_min, sum(excluded_min) AS excluded_min,
           min(uptime_pct) AS worst_port_uptime_pct
    FROM port_uptime_monthly
    GROUP BY site_id, month
)
SELECT *,
       nevi_uptime_pct(port_min, outage_min, excluded_min) AS uptime_pct
FROM totals
WHERE port_min > 0
ORDER BY site_id, month
