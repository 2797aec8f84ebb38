-- Utility demand charges per site x local month (the site's zone, dim_sites.timezone), and the site-month margin after them.
-- Demand: the site's highest 15-minute average power, like a utility demand meter
-- (site_power_15min: per port, the mean of its power samples in the interval, summed over the
-- site's ports); peak_kw is the month's maximum.
-- demand_charge_usd = peak_kw x the site's utility demand charge ($/kW) in force at the peak
-- (utility_prices; seasons can differ). Revenue, energy cost, roaming fees and margin come from
-- session_charges by local month of session start; margin_after_demand = margin - demand charge.
-- A month with sessions but no power samples has peak_kw 0.
WITH peaks AS (
    SELECT
        site_id,
        any_value(zone) AS zone,
        CAST(date_trunc('month', timezone(zone, interval_start)) AS DATE) AS month,
        max(kw) AS peak_kw,
        arg_max(interval_start, (kw, -epoch(interval_start))) AS peak_at  -- ties: the first
    FROM site_power_15min
    GROUP BY ALL
),
dflt AS (SELECT * FROM site_tariffs WHERE site_id IS NULL),
demand AS (
    SELECT
        p.*,
        coalesce(st.utility_tariff, d.utility_tariff) AS utility_tariff,
        coalesce(u.demand_charge_usd_per_kw, 0) AS demand_charge_usd_per_kw
    FROM peaks p
    CROSS JOIN dflt d
    LEFT JOIN site_tariffs st ON st.site_id = p.site_id
    LEFT JOIN utility_prices u
        ON u.utility_tariff = coalesce(st.utility_tariff, d.utility_tariff)
       AND u.month_day = month(timezone(p.zone, p.peak_at)) * 100
                         + day(timezone(p.zone, p.peak_at))
       AND u.day_type = CASE WHEN isodow(timezone(p.zone, p.peak_at)) >= 6
                             THEN 'weekend' ELSE 'weekday' END
       AND u.hour = hour(timezone(p.zone, p.peak_at))
),
money AS (
    SELECT
        site_id,
        CAST(date_trunc('month', local_date) AS DATE) AS month,
        count(*) AS sessions,
        sum(energy_kwh) AS kwh,
        sum(total_revenue) AS total_revenue,
        sum(energy_cost) AS energy_cost,
        sum(roaming_fee) AS roaming_fee,
        sum(margin) AS margin
    FROM session_charges
    GROUP BY ALL
),
joined AS (
    SELECT
        coalesce(d.site_id, m.site_id) AS site_id,
        coalesce(d.month, m.month) AS month,
        d.utility_tariff,
        coalesce(d.peak_kw, 0) AS peak_kw,
        d.peak_at,
        coalesce(d.demand_charge_usd_per_kw, 0) AS demand_charge_usd_per_kw,
        round(coalesce(d.peak_kw, 0) * coalesce(d.demand_charge_usd_per_kw, 0), 4)
            AS demand_charge_usd,
        coalesce(m.sessions, 0) AS sessions,
        coalesce(m.kwh, 0) AS kwh,
        coalesce(m.total_revenue, 0) AS total_revenue,
        coalesce(m.energy_cost, 0) AS energy_cost,
        coalesce(m.roaming_fee, 0) AS roaming_fee,
        coalesce(m.margin, 0) AS margin
    FROM demand d
    FULL OUTER JOIN money m
        ON m.site_id IS NOT DISTINCT FROM d.site_id AND m.month = d.month
)
SELECT *, margin - demand_charge_usd AS margin_after_demand
FROM joined
ORDER BY month, site_id
