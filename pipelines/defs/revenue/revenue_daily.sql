-- Revenue, energy cost, roaming fees and margin per site x partner x local day (the day the
-- session started in the sites' time zone), from session_charges (finished sessions only).
-- partner 'unknown' = sessions whose id tag no partner claims; site_id NULL = unknown site.
-- Margin here excludes utility demand charges, which are monthly per site (site_demand_charges).
SELECT
    site_id,
    coalesce(partner, 'unknown') AS partner,
    local_date AS date,
    count(*) AS sessions,
    count(*) FILTER (billed) AS billed_sessions,
    sum(energy_kwh) AS kwh,
    sum(energy_revenue) AS energy_revenue,
    sum(time_revenue) AS time_revenue,
    sum(parking_revenue) AS parking_revenue,
    sum(flat_revenue) AS flat_revenue,
    sum(total_revenue) AS total_revenue,
    sum(energy_cost) AS energy_cost,
    sum(roaming_fee) AS roaming_fee,
    sum(margin) AS margin
FROM session_charges
GROUP BY ALL
ORDER BY date, site_id, partner
