-- Energy of each finished session by hour, for time-of-use prices and costs: one row per
-- (session_id, slice_start = UTC hour start, local_hour = that hour in the session's site's zone,
-- dim_sites.timezone).
-- kWh comes from the energy register: the increments between consecutive points of the session
-- (its start register at start_at, its MeterValues samples at received_at, its stop register at
-- end_at), each spread over the hours its interval covers in proportion to time (an interval that
-- stays inside one hour goes to that hour whole). A negative increment (register reset) counts 0.
-- The increments are scaled so a session's slices add up to exactly its energy_kwh. A session
-- with no energy samples (or no rising register) has its kWh spread evenly over its charging
-- period (start_at to charging_end_at); zero-energy sessions have no slices. Open sessions are
-- left out (they get no charges). Times are server received_at, clamped into the session.
-- Local hours are UTC hours shifted (assumes the site's zone has whole-hour offsets).
WITH s AS (
    SELECT session_id, charge_point_id, transaction_id, start_at, end_at, charging_end_at,
           energy_kwh, meter_start_wh, meter_stop_wh, site_zone(z.timezone) AS zone
    FROM sessions LEFT JOIN dim_sites z USING (site_id)
    WHERE end_source <> 'open' AND end_at IS NOT NULL AND energy_kwh > 0
),
samples AS (
    SELECT s.session_id, m.received_at AS t, m.energy_wh AS wh
    FROM s JOIN stg_meter m USING (charge_point_id, transaction_id)
    WHERE m.energy_wh IS NOT NULL
),
sampled AS (SELECT DISTINCT session_id FROM samples),
points AS (
    SELECT session_id, t, wh FROM samples
    UNION ALL
    SELECT session_id, start_at, meter_start_wh FROM s SEMI JOIN sampled USING (session_id)
    WHERE meter_start_wh IS NOT NULL
    UNION ALL
    SELECT session_id, end_at, meter_stop_wh FROM s SEMI JOIN sampled USING (session_id)
    WHERE meter_stop_wh IS NOT NULL
),
steps AS (
    SELECT
        p.session_id,
        epoch(greatest(least(p.t, s.end_at), s.start_at)) AS t1,
        greatest(p.wh - lag(p.wh) OVER w, 0) AS inc,
        epoch(greatest(least(lag(p.t) OVER w, s.end_at), s.start_at)) AS t0
    FROM points p JOIN s USING (session_id)
    WINDOW w AS (PARTITION BY p.session_id ORDER BY p.t, p.wh)
),
metered AS (
    SELECT session_id, t0, t1, inc, sum(inc) OVER (PARTITION BY session_id) AS total_inc
    FROM steps
    WHERE t0 IS NOT NULL
),
intervals AS (
    SELECT m.session_id, m.t0, m.t1, m.inc / m.total_inc * s.energy_kwh AS kwh, 'meter' AS source
    FROM metered m JOIN s USING (session_id)
    WHERE m.total_inc > 0 AND m.inc > 0
    UNION ALL
    SELECT s.session_id, epoch(s.start_at), epoch(greatest(s.charging_end_at, s.start_at)),
           s.energy_kwh, 'spread'
    FROM s
    WHERE s.session_id NOT IN (SELECT session_id FROM metered WHERE total_inc > 0)
),
hours AS (
    SELECT *, floor(t0 / 3600) * 3600 AS h0, floor(greatest(t1 - 1e-6, t0) / 3600) * 3600 AS h1
    FROM intervals
),
split AS (
    SELECT session_id, h0 AS h, kwh, source FROM hours WHERE h0 = h1
    UNION ALL
    SELECT session_id, h, kwh * (least(t1, h + 3600) - greatest(t0, h)) / (t1 - t0), source
    FROM (SELECT *, unnest(generate_series(h0::BIGINT, h1::BIGINT, 3600)) AS h
          FROM hours WHERE h1 > h0)
)
SELECT
    session_id,
    to_timestamp(h) AS slice_start,
    timezone(any_value(s.zone), to_timestamp(h)) AS local_hour,
    sum(kwh) AS kwh,
    min(source) AS source
FROM split JOIN s USING (session_id)
GROUP BY session_id, h
ORDER BY session_id, slice_start
