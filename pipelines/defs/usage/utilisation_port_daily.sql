-- Utilisation per port and local day (DESIGN): time-based = minutes in a session / minutes
-- available; energy-based = kWh / (rated kW x available hours). available_min = minutes of the day
-- inside the port's observed period (first frame .. as_of) minus minutes DOWN (Faulted/Unavailable
-- port or charger, charger offline; see usage_port_hourly), but never less than the session
-- minutes (a port in use is up). period_min, down_min and the numerators are kept so a reader can
-- divide by calendar time instead. Sessions across midnight count in both days. Local days are in
-- the port's site's zone (usage_ports.timezone; 23 or 25 hours on DST change days).
WITH ports AS (
    SELECT * FROM usage_ports WHERE period_start IS NOT NULL
),
days AS (
    SELECT p.*, CAST(unnest(range(
               CAST(timezone(p.timezone, p.period_start) AS DATE),
               CAST(timezone(p.timezone, getvariable('as_of')) AS DATE) + 1,
               INTERVAL 1 DAY)) AS DATE) AS local_date
    FROM ports p
),
bounds AS (
    SELECT *,
           greatest(timezone(timezone, CAST(local_date AS TIMESTAMP)), period_start)
               AS from_at,
           least(timezone(timezone, CAST(local_date + 1 AS TIMESTAMP)),
                 getvariable('as_of')) AS to_at
    FROM days
),
hourly AS (
    SELECT port_id, local_date,
           sum(session_min) AS session_min, sum(charging_min) AS charging_min,
           sum(idle_min) AS idle_min, sum(kwh) AS kwh, sum(sessions_started) AS sessions,
           sum(down_min) AS down_min
    FROM usage_port_hourly
    GROUP BY ALL
),
measured AS (
    SELECT
        b.local_date, b.site_id, b.charge_point_id, b.port_no, b.port_id, b.kind, b.rated_kw,
        greatest(0, epoch(b.to_at) - epoch(b.from_at)) / 60 AS period_min,
        least(coalesce(h.down_min, 0), greatest(0, epoch(b.to_at) - epoch(b.from_at)) / 60) AS down_min,
        coalesce(h.session_min, 0) AS session_min,
        coalesce(h.charging_min, 0) AS charging_min,
        coalesce(h.idle_min, 0) AS idle_min,
        coalesce(h.kwh, 0) AS kwh,
        coalesce(h.sessions, 0) AS sessions
    FROM bounds b LEFT JOIN hourly h USING (port_id, local_date)
),
available AS (
    SELECT *, greatest(period_min - down_min, least(session_min, period_min)) AS available_min
    FROM measured
)
SELECT
    *,
    CASE WHEN available_min > 0 THEN least(1.0, session_min / available_min) END AS time_util,
    CASE WHEN available_min > 0 AND rated_kw > 0 THEN kwh / (rated_kw * available_min / 60) END
        AS energy_util
FROM available
