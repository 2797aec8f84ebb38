-- Per port and UTC hour (only hours with something in them): minutes in a session, charging and
-- idle (session minus charging), kWh, sessions started, and minutes DOWN. A session is split over
-- every hour it touches (23:30-01:10 gives 30, 60 and 10 minutes), an open one runs to as_of; its
-- kWh are spread over its charging minutes. DOWN (computed here from status, independent of the
-- uptime marts): the port or its charger (port 0) Faulted/Unavailable, or the charger offline
-- (a silence longer than heartbeat x offline_tolerance, counted from the end of that tolerance;
-- a closed WebSocket, from the close until the next connect); overlapping causes count once.
-- local_date / local_dow (ISO, 1 = Monday) / local_hour are in the port's site's zone
-- (usage_ports.timezone; an hour of a whole-hour-offset zone lies in one local hour).
WITH ports AS (
    SELECT * FROM usage_ports
),
sess AS (
    SELECT
        s.charge_point_id || '/' || s.port_no AS port_id,
        s.start_at,
        greatest(coalesce(s.end_at, getvariable('as_of')), s.start_at) AS end_at,
        least(greatest(coalesce(s.charging_end_at, s.end_at, getvariable('as_of')), s.start_at),
              greatest(coalesce(s.end_at, getvariable('as_of')), s.start_at)) AS charging_end_at,
        coalesce(s.energy_kwh, 0) AS energy_kwh
    FROM sessions s
    WHERE s.port_no > 0 AND s.start_at IS NOT NULL
),
sess_hours AS (
    SELECT port_id, start_at, end_at, charging_end_at, energy_kwh,
           unnest(range(date_trunc('hour', start_at),
                        greatest(end_at, date_trunc('hour', start_at) + INTERVAL 1 SECOND),
                        INTERVAL 1 HOUR)) AS hour
    FROM sess
),
sess_pieces AS (
    SELECT
        port_id, hour,
        greatest(0, overlap_min(start_at, end_at, hour, hour + INTERVAL 1 HOUR)) AS session_min,
        greatest(0, overlap_min(start_at, charging_end_at, hour, hour + INTERVAL 1 HOUR))
            AS charging_min,
        (epoch(charging_end_at) - epoch(start_at)) / 60 AS total_charging_min,
        energy_kwh,
        (date_trunc('hour', start_at) = hour)::INT AS started
    FROM sess_hours
),
sess_hourly AS (
    SELECT
        port_id, hour,
        -- overlapping sessions on one port (a lost stop) count the port busy once
        least(60, sum(session_min)) AS session_min,
        least(60, sum(charging_min), sum(session_min)) AS charging_min,
        sum(CASE WHEN total_charging_min > 0 THEN energy_kwh * charging_min / total_charging_min
                 WHEN started = 1 THEN energy_kwh ELSE 0 END) AS kwh,
        sum(started) AS sessions_started
    FROM sess_pieces
    GROUP BY ALL
),
status_runs AS (
    SELECT charge_point_id, port_no, received_at AS from_at,
           coalesce(lead(received_at) OVER w, getvariable('as_of')) AS to_at,
           status_class IN ('faulted', 'unavailable') AS down
    FROM stg_status
    WHERE port_no IS NOT NULL
    WINDOW w AS (PARTITION BY charge_point_id, port_no ORDER BY received_at, seq)
),
charger_down AS (
    SELECT charge_point_id, from_at, to_at FROM status_runs WHERE down AND port_no = 0
    UNION ALL
    SELECT g.charge_point_id,
           g.silent_from + to_microseconds(CAST(g.heartbeat_interval_s
                                                 * getvariable('offline_tolerance') * 1e6 AS BIGINT)),
           g.silent_until
    FROM stg_gaps g
    UNION ALL
    -- closed WebSocket: from a disconnect that leaves the charger no open connection (several
    -- can overlap while it reconnects) until its next connect
    SELECT charge_point_id, from_at, to_at FROM (
        SELECT charge_point_id, event, "at" AS from_at,
               sum(CASE event WHEN 'connect' THEN 1 ELSE -1 END) OVER (
                   PARTITION BY charge_point_id ORDER BY "at", event DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS open_connections,
               coalesce(lead("at") OVER (PARTITION BY charge_point_id ORDER BY "at", event DESC),
                        getvariable('as_of')) AS to_at
        FROM raw_connection_events
        WHERE event IN ('connect', 'disconnect') AND charge_point_id IS NOT NULL
    ) WHERE event = 'disconnect' AND open_connections <= 0
),
down_raw AS (
    SELECT r.charge_point_id || '/' || r.port_no AS port_id, r.from_at, r.to_at
    FROM status_runs r WHERE r.down AND r.port_no > 0
    UNION ALL
    SELECT p.port_id, d.from_at, d.to_at
    FROM charger_down d JOIN ports p USING (charge_point_id)
),
down_clipped AS (
    SELECT d.port_id, greatest(d.from_at, p.period_start) AS from_at,
           least(d.to_at, getvariable('as_of')) AS to_at
    FROM down_raw d JOIN ports p USING (port_id)
),
down_ordered AS (
    SELECT *,
           max(to_at) OVER (PARTITION BY port_id ORDER BY from_at, to_at
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max_to
    FROM down_clipped WHERE to_at > from_at
),
down_islands AS (
    SELECT *, sum((prev_max_to IS NULL OR from_at > prev_max_to)::INT)
                  OVER (PARTITION BY port_id ORDER BY from_at, to_at
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
    FROM down_ordered
),
down_merged AS (
    SELECT port_id, min(from_at) AS from_at, max(to_at) AS to_at
    FROM down_islands GROUP BY port_id, island
),
down_hourly AS (
    SELECT port_id, hour,
           sum(greatest(0, overlap_min(from_at, to_at, hour, hour + INTERVAL 1 HOUR))) AS down_min
    FROM (SELECT *, unnest(range(date_trunc('hour', from_at), to_at, INTERVAL 1 HOUR)) AS hour
          FROM down_merged)
    GROUP BY ALL
),
joined AS (
    SELECT port_id, hour,
           coalesce(s.session_min, 0) AS session_min,
           coalesce(s.charging_min, 0) AS charging_min,
           coalesce(s.kwh, 0) AS kwh,
           coalesce(s.sessions_started, 0) AS sessions_started,
           coalesce(d.down_min, 0) AS down_min
    FROM sess_hourly s FULL JOIN down_hourly d USING (port_id, hour)
)
SELECT
    j.port_id, p.charge_point_id, p.port_no, p.site_id,
    j.hour,
    CAST(timezone(p.timezone, j.hour) AS DATE) AS local_date,
    isodow(timezone(p.timezone, j.hour)) AS local_dow,
    hour(timezone(p.timezone, j.hour)) AS local_hour,
    j.session_min, j.charging_min, j.session_min - j.charging_min AS idle_min,
    j.kwh, j.sessions_started, j.down_min
FROM joined j JOIN ports p USING (port_id)
