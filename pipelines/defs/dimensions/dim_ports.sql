-- Charging ports (NEVI): 1.6 connectors and 2.0.1 EVSEs, numbered 1..connectors in the registry,
-- plus any other port number the charger reported a status for. A transaction does not make a
-- port: one on a connector the charger does not have (77, -5, 2^63) is the charger's claim, and
-- its session is quarantined ('unknown connector', sessions.sql).
WITH numbered AS (
    SELECT charge_point_id, unnest(range(1, connectors + 1)) AS port_no FROM dim_chargers
),
seen AS (
    SELECT DISTINCT charge_point_id, port_no FROM stg_status WHERE port_no > 0
),
ports AS (SELECT * FROM numbered UNION SELECT * FROM seen)
SELECT
    p.charge_point_id || '/' || p.port_no AS port_id,
    p.charge_point_id,
    p.port_no::INTEGER AS port_no,
    c.site_id,
    c.kind,
    c.rated_kw,
    c.commissioned_at,
    site_zone(z.timezone) AS timezone  -- its site's (dim_sites), else the build's default
FROM ports p LEFT JOIN dim_chargers c USING (charge_point_id)
LEFT JOIN dim_sites z ON z.site_id = c.site_id
