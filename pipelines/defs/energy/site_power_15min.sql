-- Each site's power per 15-minute interval (UTC-aligned, = local: a utility demand meter's
-- intervals): per port, the mean of stg_meter power_w samples in the interval (a port that
-- sampled only part of it counts at its mean while sampling: slightly high, on the safe side),
-- summed over the site's ports. kw unrounded; ports_sampled: the ports with a sample in it;
-- zone: the site's (dim_sites.timezone, else the build default). site_id NULL: chargers on no
-- known site (demand charges still count them). The one owner of a site's 15-minute power:
-- site_load_15min (against the grid limit) and site_demand_charges (the month's peak) read it.
WITH port_power AS (
    SELECT
        m.charge_point_id, m.port_no,
        to_timestamp(floor(epoch(m.received_at) / 900) * 900) AS interval_start,
        avg(m.power_w) / 1000.0 AS kw
    FROM stg_meter m
    WHERE m.power_w IS NOT NULL AND m.power_w >= 0
    GROUP BY ALL
)
SELECT c.site_id, site_zone(any_value(z.timezone)) AS zone, p.interval_start,
       sum(p.kw) AS kw, count(*) AS ports_sampled
FROM port_power p LEFT JOIN dim_chargers c USING (charge_point_id)
LEFT JOIN dim_sites z ON z.site_id = c.site_id
GROUP BY c.site_id, p.interval_start
