-- UP/DOWN intervals per charging port (NEVI 23 CFR 680.116(b), DESIGN "Port uptime"),
-- [from_at, to_at), server clock, from the port's commissioning (dim_ports / dim_chargers
-- commissioned_at, else the first time its charger or port was heard from) to as_of.
-- DOWN when, by priority: its charger is offline (charger_connectivity_intervals; also before
-- the charger was first heard from) -> cause 'offline'; the port or the whole charger (port_no 0)
-- reports Faulted -> 'faulted'; reports Unavailable -> 'unavailable'. Otherwise UP (available,
-- in use, reserved, or no report yet). error_code is the reported OCPP errorCode of the down
-- status (the port's own if it is down, else the charger-level one); for 'offline' the
-- connectivity reason. Consecutive pieces with the same state, cause and error code are merged.
WITH seen AS (
    SELECT charge_point_id, port_no, min(from_at) AS first_at
    FROM connector_status_intervals WHERE port_no >= 1
    GROUP BY ALL
    UNION ALL
    SELECT charge_point_id, port_no, min(start_at)
    FROM sessions WHERE port_no >= 1 AND start_at IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT charge_point_id, port_no, NULL FROM dim_ports WHERE port_no >= 1
),
charger_first AS (
    SELECT charge_point_id, min(from_at) AS first_at
    FROM charger_connectivity_intervals GROUP BY ALL
),
ports AS (
    SELECT s.charge_point_id, s.port_no, s.charge_point_id || '/' || s.port_no AS port_id,
           coalesce(any_value(dp.site_id), any_value(dc.site_id)) AS site_id,
           coalesce(any_value(dp.commissioned_at), any_value(dc.commissioned_at),
                    least(min(s.first_at), any_value(cf.first_at))) AS start_at
    FROM seen s
    LEFT JOIN dim_ports dp ON dp.charge_point_id = s.charge_point_id AND dp.port_no = s.port_no
    LEFT JOIN dim_chargers dc ON dc.charge_point_id = s.charge_point_id
    LEFT JOIN charger_first cf ON cf.charge_point_id = s.charge_point_id
    GROUP BY s.charge_point_id, s.port_no
    HAVING start_at IS NOT NULL AND start_at < getvariable('as_of')
),
breaks AS (
    SELECT port_id, start_at AS t FROM ports
    UNION
    SELECT p.port_id, s.from_at
    FROM ports p JOIN connector_status_intervals s
      ON s.charge_point_id = p.charge_point_id AND s.port_no IN (0, p.port_no)
    WHERE s.from_at > p.start_at
    UNION
    SELECT p.port_id, c.from_at
    FROM ports p JOIN charger_connectivity_intervals c USING (charge_point_id)
    WHERE c.from_at > p.start_at
),
pieces AS (
    SELECT p.port_id, p.charge_point_id, p.port_no, p.site_id, b.t AS from_at,
           coalesce(lead(b.t) OVER (PARTITION BY b.port_id ORDER BY b.t),
                    getvariable('as_of')) AS to_at
    FROM breaks b JOIN ports p USING (port_id)
    WHERE b.t < getvariable('as_of')
),
port_series AS (SELECT * FROM connector_status_intervals WHERE port_no >= 1),
charger_series AS (SELECT * FROM connector_status_intervals WHERE port_no = 0),
with_port AS (
    SELECT pc.*, ps.status AS port_status, ps.status_class AS port_class,
           ps.error_code AS port_error
    FROM pieces pc ASOF LEFT JOIN port_series ps
      ON ps.charge_point_id = pc.charge_point_id AND ps.port_no = pc.port_no
     AND pc.from_at >= ps.from_at
),
with_charger AS (
    SELECT wp.*, cs.status_class AS charger_class, cs.error_code AS charger_error
    FROM with_port wp ASOF LEFT JOIN charger_series cs
      ON cs.charge_point_id = wp.charge_point_id AND wp.from_at >= cs.from_at
),
with_conn AS (
    SELECT wc.*, ci.state AS connectivity, ci.reason AS connectivity_reason,
           ci.to_at AS connectivity_to
    FROM with_charger wc ASOF LEFT JOIN charger_connectivity_intervals ci
      ON ci.charge_point_id = wc.charge_point_id AND wc.from_at >= ci.from_at
),
classified AS (
    SELECT port_id, charge_point_id, port_no, site_id, from_at, to_at,
           CASE
               WHEN connectivity IS DISTINCT FROM 'online' THEN 'offline'
               WHEN port_class = 'faulted' OR charger_class = 'faulted' THEN 'faulted'
               WHEN port_class = 'unavailable' OR charger_class = 'unavailable' THEN 'unavailable'
           END AS cause,
           CASE
               WHEN connectivity IS DISTINCT FROM 'online'
                   THEN coalesce(connectivity_reason, 'never_connected')
               WHEN port_class = 'faulted' THEN port_error
               WHEN charger_class = 'faulted' THEN charger_error
               WHEN port_class = 'unavailable' THEN port_error
               WHEN charger_class = 'unavailable' THEN charger_error
           END AS error_code
    FROM with_conn
),
flagged AS (
    SELECT *,
           CASE WHEN lag(cause) OVER w IS NOT DISTINCT FROM cause
                 AND lag(error_code) OVER w IS NOT DISTINCT FROM error_code
                THEN 0 ELSE 1 END AS is_new
    FROM classified
    WINDOW w AS (PARTITION BY port_id ORDER BY from_at)
),
grouped AS (
    SELECT *, sum(is_new) OVER (PARTITION BY port_id ORDER BY from_at) AS grp FROM flagged
)
SELECT port_id, charge_point_id, port_no, site_id, min(from_at) AS from_at, max(to_at) AS to_at,
       CASE WHEN any_value(cause) IS NULL THEN 'up' ELSE 'down' END AS state,
       any_value(cause) AS cause, any_value(error_code) AS error_code,
       (epoch(max(to_at)) - epoch(min(from_at))) / 60.0 AS duration_min
FROM grouped
GROUP BY port_id, charge_point_id, port_no, site_id, grp
ORDER BY port_id, from_at
