-- Each site's load per 15-minute interval (UTC-aligned, as a utility demand meter) against its grid connection limit.
-- kw: site_power_15min's (per port, the mean of stg_meter power_w samples in the interval,
-- summed over the site's ports: the demand the site_demand_charges peak is the maximum of).
-- grid_limit_kw: the registry's (cpo sites set-limit), NULL when the site has none;
-- headroom_kw = limit - kw; over_limit: the interval's mean load exceeded the limit.
-- local_month: the site's zone.
SELECT
    s.site_id,
    s.interval_start,
    CAST(date_trunc('month', timezone(s.zone, s.interval_start)) AS DATE) AS local_month,
    round(s.kw, 4) AS kw,
    s.ports_sampled,
    l.grid_limit_kw,
    round(l.grid_limit_kw - s.kw, 4) AS headroom_kw,
    coalesce(s.kw > l.grid_limit_kw, false) AS over_limit
FROM site_power_15min s
LEFT JOIN reg_site_limits l ON l.site_id = s.site_id
WHERE s.site_id IS NOT NULL
ORDER BY s.site_id, s.interval_start
