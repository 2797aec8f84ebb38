-- Utilisation per site, local ISO day of week (1 = Monday) and local hour (the site's zone,
-- usage_ports.timezone), over the whole period:
-- observed_min = minutes of that weekly hour the site was observed (its first port's first frame
-- .. as_of), occupied_min = port-minutes in a session, share = occupied_min / (ports x
-- observed_min); saturation_min = minutes when every port of the site was in a session at once
-- (a driver arriving then had to wait), saturation_share = saturation_min / observed_min.
WITH ports AS (
    SELECT * FROM usage_ports WHERE period_start IS NOT NULL
),
sites AS (
    SELECT site_id, count(*) AS ports, min(period_start) AS site_start,
           any_value(timezone) AS zone  -- one per site (a site-less port has the default)
    FROM ports GROUP BY site_id
),
site_hours AS (
    SELECT site_id, ports, site_start, zone,
           unnest(range(date_trunc('hour', site_start), getvariable('as_of'), INTERVAL 1 HOUR)) AS hour
    FROM sites
),
observed AS (
    SELECT site_id, any_value(ports) AS ports,
           isodow(timezone(zone, hour)) AS local_dow,
           hour(timezone(zone, hour)) AS local_hour,
           count(*) AS weeks_observed,
           sum(overlap_min(hour, hour + INTERVAL 1 HOUR, site_start, getvariable('as_of')))
               AS observed_min
    FROM site_hours GROUP BY ALL
),
occupied AS (
    SELECT site_id, local_dow, local_hour,
           sum(session_min) AS occupied_min, sum(charging_min) AS charging_min, sum(kwh) AS kwh
    FROM usage_port_hourly GROUP BY ALL
),
events AS (
    SELECT p.site_id, s.start_at AS event_at, 1 AS delta
    FROM sessions s JOIN ports p ON p.port_id = s.charge_point_id || '/' || s.port_no
    UNION ALL
    SELECT p.site_id, greatest(coalesce(s.end_at, getvariable('as_of')), s.start_at) AS event_at, -1 AS delta
    FROM sessions s JOIN ports p ON p.port_id = s.charge_point_id || '/' || s.port_no
),
running AS (
    SELECT site_id, event_at,
           sum(delta) OVER (PARTITION BY site_id ORDER BY event_at, delta
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS busy,
           lead(event_at) OVER (PARTITION BY site_id ORDER BY event_at, delta) AS next_at
    FROM events
),
saturated AS (
    SELECT r.site_id, r.event_at AS from_at, r.next_at AS to_at, sites.zone
    FROM running r JOIN sites USING (site_id)
    WHERE r.busy >= sites.ports AND r.next_at > r.event_at
),
saturated_hourly AS (
    SELECT site_id,
           isodow(timezone(zone, hour)) AS local_dow,
           hour(timezone(zone, hour)) AS local_hour,
           sum(overlap_min(from_at, to_at, hour, hour + INTERVAL 1 HOUR)) AS saturation_min
    FROM (SELECT *, unnest(range(date_trunc('hour', from_at), to_at, INTERVAL 1 HOUR)) AS hour
          FROM saturated)
    GROUP BY ALL
)
SELECT
    o.site_id, o.local_dow, o.local_hour, o.ports, o.weeks_observed, o.observed_min,
    coalesce(c.occupied_min, 0) AS occupied_min,
    coalesce(c.charging_min, 0) AS charging_min,
    coalesce(c.kwh, 0) AS kwh,
    CASE WHEN o.observed_min > 0
         THEN least(1.0, coalesce(c.occupied_min, 0) / (o.ports * o.observed_min)) END AS share,
    coalesce(s.saturation_min, 0) AS saturation_min,
    CASE WHEN o.observed_min > 0
         THEN least(1.0, coalesce(s.saturation_min, 0) / o.observed_min) END AS saturation_share
FROM observed o
LEFT JOIN occupied c ON c.site_id IS NOT DISTINCT FROM o.site_id
     AND c.local_dow = o.local_dow AND c.local_hour = o.local_hour
LEFT JOIN saturated_hourly s ON s.site_id IS NOT DISTINCT FROM o.site_id
     AND s.local_dow = o.local_dow AND s.local_hour = o.local_hour
