-- Money of each finished session (open sessions are not billed yet, a quarantined one
-- never is: sessions.quarantine_reason), in USD excl. VAT.
-- Tariff: the site's OCPI tariff (site_tariffs; the default row when the site is unknown), the
-- DC one for DC chargers (dim_chargers.kind; unknown kind counts as DC when the session's peak
-- power was above 22 kW, the AC maximum). For each dimension the first tariff element (in order)
-- whose restrictions match and that has a component of that type prices it (OCPI 2.2.1).
-- energy_revenue: each hourly energy slice (session_energy_slices) x the ENERGY price matching
-- the slice's local hour start (local: the site's zone, dim_sites.timezone, as every local time
-- here); the session's kWh rounded up to step_size Wh at the last price.
-- time_revenue: TIME $/hour x charging time (start to charging_end_at), matched at start.
-- parking_revenue: PARKING_TIME $/hour x idle minutes beyond the tariff's idle_grace_min,
-- matched when the fee begins (charging end + grace). flat_revenue: FLAT matched at start.
-- TIME/PARKING volumes are rounded up to step_size seconds; revenue and fees are rounded to
-- 4 decimals (OCPI), energy cost is not. A session that delivered no energy is
-- a failed charge: nothing is billed (all revenue, fees and cost 0).
-- energy_cost: each slice's kWh x the site's utility $/kWh of that local hour (utility_prices;
-- demand charges are at site-month level, see site_demand_charges).
-- roaming_fee: partner's fee_pct of total_revenue + fee_per_session_usd per billed session (0 for
-- the CPO's own app and unknown partners by default). margin = revenue - energy_cost - roaming_fee.
-- revenue_source: 'tariff_estimate' (all of the above), or 'file' for a replayed session whose
-- file gave its amount (replay_prices, `cpo replay --price-col`, joined exactly on charge point
-- and transaction id): total_revenue and currency are the file's, and the energy/time/parking/
-- flat split is NULL (the file gives one amount).
WITH s AS (
    SELECT
        ses.*,
        coalesce(c.kind, CASE WHEN ses.peak_kw > 22 THEN 'DC' ELSE 'AC' END) AS kind,
        ses.energy_kwh > 0 AS billed,
        site_zone(z.timezone) AS zone,
        CAST(timezone(site_zone(z.timezone), ses.start_at) AS DATE) AS local_date
    FROM sessions ses
    LEFT JOIN dim_chargers c USING (charge_point_id)
    LEFT JOIN dim_sites z ON z.site_id = ses.site_id
    WHERE ses.end_source <> 'open' AND ses.end_at IS NOT NULL AND ses.quarantine_reason IS NULL
),
dflt AS (SELECT * FROM site_tariffs WHERE site_id IS NULL),
rated AS (
    SELECT
        s.*,
        CASE WHEN s.kind = 'DC' THEN coalesce(st.dc_tariff_id, d.dc_tariff_id)
             ELSE coalesce(st.ac_tariff_id, d.ac_tariff_id) END AS tariff_id,
        coalesce(st.utility_tariff, d.utility_tariff) AS utility_tariff
    FROM s
    CROSS JOIN dflt d
    LEFT JOIN site_tariffs st ON st.site_id = s.site_id
),
tariffs AS (
    SELECT tariff_id, any_value(currency) AS currency, any_value(idle_grace_min) AS grace_min
    FROM tariff_components GROUP BY tariff_id
),
timing AS (
    SELECT r.*, t.currency, coalesce(t.grace_min, 0) AS grace_min,
           greatest(r.idle_min - coalesce(t.grace_min, 0), 0) AS billable_idle_min
    FROM rated r LEFT JOIN tariffs t USING (tariff_id)
),
-- Moments at which a price is looked up: every energy slice, plus session start (TIME, FLAT)
-- and the start of the idle fee (PARKING_TIME).
moments AS (
    SELECT t.session_id, t.tariff_id, 'ENERGY' AS type, e.slice_start, e.kwh,
           e.local_hour AS lt,
           greatest(epoch(e.slice_start) - epoch(t.start_at), 0) AS elapsed_s
    FROM timing t JOIN session_energy_slices e USING (session_id)
    UNION ALL
    SELECT session_id, tariff_id, 'TIME', NULL, NULL, timezone(zone, start_at), 0
    FROM timing
    UNION ALL
    SELECT session_id, tariff_id, 'FLAT', NULL, NULL, timezone(zone, start_at), 0
    FROM timing
    UNION ALL
    SELECT session_id, tariff_id, 'PARKING_TIME', NULL, NULL,
           timezone(zone, charging_end_at)
               + to_microseconds(CAST(grace_min * 60e6 AS BIGINT)),
           epoch(charging_end_at) - epoch(start_at) + grace_min * 60
    FROM timing
),
priced AS (
    SELECT
        m.session_id, m.type, m.slice_start, m.kwh,
        arg_min(c.price, c.element_no) AS price,
        arg_min(c.step_size, c.element_no) AS step_size
    FROM moments m
    JOIN tariff_components c ON c.tariff_id = m.tariff_id AND c.type = m.type
    WHERE (c.start_date IS NULL OR CAST(m.lt AS DATE) >= c.start_date)
      AND (c.end_date IS NULL OR CAST(m.lt AS DATE) < c.end_date)
      AND (c.days_of_week IS NULL
           OR contains(',' || c.days_of_week || ',', ',' || isodow(m.lt) || ','))
      AND (c.min_duration_s IS NULL OR m.elapsed_s >= c.min_duration_s)
      AND (c.max_duration_s IS NULL OR m.elapsed_s < c.max_duration_s)
      AND CASE
            WHEN c.start_minute IS NULL AND c.end_minute IS NULL THEN true
            WHEN c.start_minute IS NULL THEN hour(m.lt) * 60 + minute(m.lt) < c.end_minute
            WHEN c.end_minute IS NULL THEN hour(m.lt) * 60 + minute(m.lt) >= c.start_minute
            WHEN c.start_minute <= c.end_minute
                THEN hour(m.lt) * 60 + minute(m.lt) >= c.start_minute
                     AND hour(m.lt) * 60 + minute(m.lt) < c.end_minute
            ELSE hour(m.lt) * 60 + minute(m.lt) >= c.start_minute
                 OR hour(m.lt) * 60 + minute(m.lt) < c.end_minute
          END
    GROUP BY ALL
),
energy AS (
    SELECT
        session_id,
        sum(kwh * price) AS sliced_revenue,
        arg_max(price, slice_start) AS last_price,
        arg_max(step_size, slice_start) AS step_wh
    FROM priced WHERE type = 'ENERGY'
    GROUP BY session_id
),
other AS (
    SELECT
        session_id,
        any_value(price) FILTER (type = 'TIME') AS time_price,
        any_value(step_size) FILTER (type = 'TIME') AS time_step,
        any_value(price) FILTER (type = 'PARKING_TIME') AS parking_price,
        any_value(step_size) FILTER (type = 'PARKING_TIME') AS parking_step,
        any_value(price) FILTER (type = 'FLAT') AS flat_price
    FROM priced WHERE type <> 'ENERGY'
    GROUP BY session_id
),
cost AS (
    SELECT
        e.session_id,
        sum(e.kwh * p.usd_per_kwh) AS energy_cost,
        count(*) FILTER (p.usd_per_kwh IS NULL) AS unpriced_slices
    FROM session_energy_slices e
    JOIN timing t USING (session_id)
    LEFT JOIN utility_prices p
        ON p.utility_tariff = t.utility_tariff
       AND p.month_day = month(e.local_hour) * 100 + day(e.local_hour)
       AND p.day_type = CASE WHEN isodow(e.local_hour) >= 6 THEN 'weekend' ELSE 'weekday' END
       AND p.hour = hour(e.local_hour)
    GROUP BY e.session_id
),
revenue AS (
    SELECT
        t.*,
        e.last_price AS _last_price,
        CASE WHEN NOT t.billed THEN 0 ELSE round(
            coalesce(e.sliced_revenue, 0)
            + (ceil(t.energy_kwh * 1000 / coalesce(e.step_wh, 1)) * coalesce(e.step_wh, 1)
               - t.energy_kwh * 1000) / 1000 * coalesce(e.last_price, 0), 4) END
            AS energy_revenue,
        CASE WHEN NOT t.billed THEN 0 ELSE round(
            ceil(round(t.charging_min * 60, 6) / coalesce(o.time_step, 1)) * coalesce(o.time_step, 1)
            / 3600 * coalesce(o.time_price, 0), 4) END AS time_revenue,
        CASE WHEN NOT t.billed THEN 0 ELSE round(
            ceil(round(t.billable_idle_min * 60, 6) / coalesce(o.parking_step, 1))
            * coalesce(o.parking_step, 1) / 3600 * coalesce(o.parking_price, 0), 4) END
            AS parking_revenue,
        CASE WHEN NOT t.billed THEN 0 ELSE coalesce(o.flat_price, 0) END AS flat_revenue,
        CASE WHEN NOT t.billed THEN 0 ELSE coalesce(k.energy_cost, 0) END
            AS energy_cost,
        coalesce(k.unpriced_slices, 0) AS unpriced_slices
    FROM timing t
    LEFT JOIN energy e USING (session_id)
    LEFT JOIN other o USING (session_id)
    LEFT JOIN cost k USING (session_id)
),
totals AS (
    SELECT
        r.* REPLACE (
            CASE WHEN fp.amount IS NULL THEN r.energy_revenue END AS energy_revenue,
            CASE WHEN fp.amount IS NULL THEN r.time_revenue END AS time_revenue,
            CASE WHEN fp.amount IS NULL THEN r.parking_revenue END AS parking_revenue,
            CASE WHEN fp.amount IS NULL THEN r.flat_revenue END AS flat_revenue,
            coalesce(fp.currency, r.currency) AS currency
        ),
        coalesce(fp.amount,
                 r.energy_revenue + r.time_revenue + r.parking_revenue + r.flat_revenue)
            AS total_revenue,
        CASE WHEN fp.amount IS NULL THEN 'tariff_estimate' ELSE 'file' END AS revenue_source
    FROM revenue r
    LEFT JOIN replay_prices fp
        ON fp.charge_point_id = r.charge_point_id
       AND fp.transaction_id = CAST(r.transaction_id AS VARCHAR)
),
fees AS (
    SELECT
        t.*,
        coalesce(p.partner, d.partner) AS fee_partner,
        CASE WHEN t.total_revenue > 0
             THEN round(t.total_revenue * coalesce(p.fee_pct, d.fee_pct) / 100
                        + coalesce(p.fee_per_session_usd, d.fee_per_session_usd), 4)
             ELSE 0 END AS roaming_fee
    FROM totals t
    CROSS JOIN (SELECT * FROM partners WHERE partner IS NULL) d
    LEFT JOIN partners p ON p.partner = t.partner
)
SELECT
    session_id, charge_point_id, site_id, port_id, connector_id, partner, id_tag, kind,
    tariff_id, coalesce(currency, 'USD') AS currency, utility_tariff,
    start_at, end_at, charging_end_at, local_date,
    energy_kwh, charging_min, idle_min, billable_idle_min, billed,
    energy_revenue, time_revenue, parking_revenue, flat_revenue, total_revenue, revenue_source,
    energy_cost, roaming_fee,
    total_revenue - energy_cost - roaming_fee AS margin,
    unpriced_slices
FROM fees
ORDER BY start_at, session_id
