-- Sites: the registry's site ids, named and located by the simulator's network file when there
-- is one (else located at the mean of their chargers). timezone (IANA): the registry's
-- (`cpo chargers add --site S --timezone Z`, a replay's), else the network file's, else the
-- build's default (BuildSettings.timezone). Every local day and hour in the marts is the site's.
WITH reg AS (
    SELECT site_id, avg(latitude) AS latitude, avg(longitude) AS longitude,
           any_value(address) AS address, count(*) AS chargers, sum(connectors) AS ports
    FROM dim_chargers WHERE site_id IS NOT NULL GROUP BY ALL
)
SELECT
    coalesce(reg.site_id, n.site_id) AS site_id,
    coalesce(n.name, reg.site_id, n.site_id) AS name,
    coalesce(n.address, reg.address) AS address,
    coalesce(n.latitude, reg.latitude) AS latitude,
    coalesce(n.longitude, reg.longitude) AS longitude,
    site_zone(coalesce(rs.timezone, n.timezone)) AS timezone,
    coalesce(reg.chargers, 0)::INTEGER AS chargers,
    coalesce(reg.ports, 0)::INTEGER AS ports
FROM reg FULL JOIN net_sites n USING (site_id)
LEFT JOIN reg_sites rs ON rs.site_id = coalesce(reg.site_id, n.site_id)
