-- Chargers: the registry (site, rating, model, location), completed by what the lake saw (first
-- and last frame, the OCPP version and model of the last boot) and, for a simulated network, its
-- install date. A charger seen in the lake but not registered still gets a row.
WITH seen AS (
    SELECT charge_point_id, min(first_in) AS first_seen_at, max(last_in) AS last_seen_at
    FROM stg_activity GROUP BY ALL
),
boot AS (
    SELECT charge_point_id,
           arg_max(ocpp_version, received_at) AS ocpp_version,
           arg_max(vendor, received_at) AS vendor,
           arg_max(model, received_at) AS model,
           arg_max(heartbeat_interval_s, received_at) AS heartbeat_interval_s
    FROM stg_boots GROUP BY ALL
),
ids AS (
    SELECT charge_point_id FROM reg_chargers UNION SELECT charge_point_id FROM seen
)
SELECT
    ids.charge_point_id,
    r.site_id,
    coalesce(r.vendor, b.vendor) AS vendor,
    coalesce(r.model, b.model) AS model,
    coalesce(n.kind, CASE WHEN r.rated_kw >= 50 THEN 'DC' WHEN r.rated_kw IS NOT NULL THEN 'AC' END)
        AS kind,
    r.rated_kw,
    coalesce(r.connectors, 1) AS connectors,
    coalesce(b.heartbeat_interval_s, r.heartbeat_interval_s) AS heartbeat_interval_s,
    b.ocpp_version,
    r.latitude,
    r.longitude,
    r.address,
    -- In service on this network (and measured for uptime) from its first frame.
    s.first_seen_at AS commissioned_at,
    -- Installed (for the age feature): the network file's age if known, else its first frame.
    coalesce(s.first_seen_at - to_days(n.installed_days_ago), s.first_seen_at) AS installed_at,
    s.first_seen_at,
    s.last_seen_at
FROM ids
LEFT JOIN reg_chargers r USING (charge_point_id)
LEFT JOIN seen s USING (charge_point_id)
LEFT JOIN boot b USING (charge_point_id)
LEFT JOIN net_chargers n USING (charge_point_id)
