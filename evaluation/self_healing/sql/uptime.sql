-- Network NEVI uptime (period-weighted over ports) and the ports' total period in hours.
SELECT sum(uptime_pct * period_min) / sum(period_min) AS uptime,
       sum(period_min) / 60 AS period_h
FROM {port_uptime_rolling}
