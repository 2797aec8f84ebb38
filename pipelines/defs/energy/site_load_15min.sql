-- Each site's load per 15-minute interval (UTC-aligned, as a utility demand meter) against its grid connection limit.
-- kw: per port, the mean of stg_meter power_w samples in the interval, summed over the site's
-- ports (the same demand the site_demand_charges peak is the maximum of). grid_limit_kw: the
-- registry's (cpo sites set-limit), NULL when the site has none; headroom_kw = limit - kw;
-- over_limit: the interval's mean load exceeded the limit. local_month: the site's zone.
WITH port_power AS (
    SELECT
        m.charge_point_id, m.port_no,
        to_timestamp(floor(epoch(m.received_at) / 900) * 900) AS interval_start,
        avg(m.power_w) / 1000.0 AS kw
    FROM stg_meter m
    WHERE m.power_w IS NOT NULL AND m.power_w >= 0
    GROUP BY ALL
),
site_power AS (
    SELECT c.site_id, site_zone(any_value(z.timezone)) AS zone, p.interval_start,
           sum(p.kw) AS kw, count(*) AS ports_sampled
    FROM port_power p JOIN dim_chargers c USING (charge_point_id)
    LEFT JOIN dim_sites z ON z.site_id = c.site_id
    WHERE c.site_id IS NOT NULL
    GROUP BY c.site_id, p.interval_start
)
SELECT
    s.site_id,
    s.interval_start,
    CAST(date_trunc('month', timezone(s.zone, s.interval_start)) AS DATE) AS local_month,
    round(s.kw, 4) AS kw,
    s.ports_sampled,
    l.grid_limit_kw,
    round(l.grid_limit_kw - s.kw, 4) AS headroom_kw,
    coalesce(s.kw > l.grid_limit_kw, false) AS over_limit
FROM site_power s
LEFT JOIN reg_site_limits l ON l.site_id = s.site_id
ORDER BY s.site_id, s.interval_start
