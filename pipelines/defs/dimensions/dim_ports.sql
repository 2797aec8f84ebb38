-- Charging ports (NEVI): 1.6 connectors and 2.0.1 EVSEs, numbered 1..connectors in the registry,
-- plus any other port number the lake has seen a status or transaction for.
WITH numbered AS (
    SELECT charge_point_id, unnest(range(1, connectors + 1)) AS port_no FROM dim_chargers
),
seen AS (
    SELECT DISTINCT charge_point_id, port_no FROM stg_status WHERE port_no > 0
    UNION
    SELECT DISTINCT charge_point_id, port_no FROM stg_tx_events WHERE port_no > 0
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
