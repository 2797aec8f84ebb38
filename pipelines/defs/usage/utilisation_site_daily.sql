-- Utilisation per site and local day: the sums of utilisation_port_daily over the site's ports;
-- time_util = session minutes / available minutes, energy_util = kWh / sum over ports of
-- (rated kW x available hours). Ports with no site are grouped under site_id NULL.
SELECT
    local_date, site_id,
    count(*) AS ports,
    sum(sessions) AS sessions,
    sum(session_min) AS session_min,
    sum(charging_min) AS charging_min,
    sum(idle_min) AS idle_min,
    sum(kwh) AS kwh,
    sum(period_min) AS period_min,
    sum(down_min) AS down_min,
    sum(available_min) AS available_min,
    CASE WHEN sum(available_min) > 0 THEN least(1.0, sum(session_min) / sum(available_min)) END
        AS time_util,
    CASE WHEN sum(rated_kw * available_min) > 0
         THEN sum(kwh) FILTER (rated_kw IS NOT NULL) / sum(rated_kw * available_min / 60) END
        AS energy_util
FROM utilisation_port_daily
GROUP BY local_date, site_id
