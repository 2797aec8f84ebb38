-- Every charging port the warehouse knows (dim_ports, plus ports seen in status reports and
-- sessions), with its site, its site's time zone (dim_sites), rated kW and the start of its observed period: the charger's first
-- frame in the lake (else its commissioning, else its first session). Utilisation counts from there
-- to as_of.
WITH seen AS (
    SELECT charge_point_id, port_no FROM dim_ports
    UNION
    SELECT DISTINCT charge_point_id, port_no FROM stg_status WHERE port_no > 0
    UNION
    SELECT DISTINCT charge_point_id, port_no FROM sessions WHERE port_no > 0
),
first_frame AS (
    SELECT charge_point_id, min(first_in) AS first_in FROM stg_activity GROUP BY ALL
),
first_session AS (
    SELECT charge_point_id, min(start_at) AS first_start FROM sessions GROUP BY ALL
)
SELECT
    s.charge_point_id || '/' || s.port_no AS port_id,
    s.charge_point_id,
    s.port_no,
    coalesce(p.site_id, c.site_id) AS site_id,
    coalesce(p.rated_kw, c.rated_kw) AS rated_kw,
    coalesce(p.kind, c.kind) AS kind,
    coalesce(f.first_in, p.commissioned_at, c.commissioned_at, fs.first_start) AS period_start,
    site_zone(z.timezone) AS timezone
FROM seen s
LEFT JOIN dim_ports p ON p.charge_point_id = s.charge_point_id AND p.port_no = s.port_no
LEFT JOIN dim_chargers c ON c.charge_point_id = s.charge_point_id
LEFT JOIN first_frame f ON f.charge_point_id = s.charge_point_id
LEFT JOIN first_session fs ON fs.charge_point_id = s.charge_point_id
LEFT JOIN dim_sites z ON z.site_id = coalesce(p.site_id, c.site_id)
WHERE s.port_no IS NOT NULL
