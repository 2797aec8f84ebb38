-- Online/offline intervals per charger (DESIGN "Offline"), [from_at, to_at), server clock.
-- Offline: from a connection event 'disconnect' / 'offline' (watchdog) / 'rejected' handshake
-- (only while no connection of it is up: a refused knock under its id does not end its own
-- connection), or 'superseded' when no newer connect follows, until the next 'connect'. A close of an older
-- connection after a newer one connected is ignored (the charger is still online). Also offline:
-- a silence in stg_gaps (no frame for longer than heartbeat_interval_s x offline_tolerance)
-- counts from silent_from + heartbeat_interval_s x offline_tolerance until silent_until.
-- A charger exists from its first connection event or first frame (whichever is first; online
-- when that is a frame); before that it has no interval. The last interval runs to as_of.
WITH ev AS (
    SELECT charge_point_id, "at" AS ev_at, event, reason, connection_id,
           CASE event WHEN 'connect' THEN 1 ELSE 0 END AS is_connect
    FROM raw_connection_events
    WHERE charge_point_id IS NOT NULL AND "at" <= getvariable('as_of')
      -- the events that change connectivity (not, e.g., 'flagged' frames)
      AND event IN ('connect', 'rejected', 'superseded', 'disconnect', 'offline')
),
ev_ctx AS (
    SELECT *,
           -- the connection that is current ev_at this event (the newest connect so far)
           last_value(CASE WHEN event = 'connect' THEN connection_id END IGNORE NULLS) OVER (
               PARTITION BY charge_point_id ORDER BY ev_at, is_connect DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS current_connection,
           max(CASE WHEN event = 'connect' THEN ev_at END) OVER (
               PARTITION BY charge_point_id) AS last_connect_at
    FROM ev
),
ev_conn AS (
    SELECT charge_point_id, ev_at, is_connect, event,
           CASE
               WHEN event = 'connect' THEN 'online'
               WHEN event = 'superseded'
                    AND (last_connect_at IS NULL OR last_connect_at < ev_at) THEN 'offline'
               WHEN event IN ('disconnect', 'offline')
                    AND (connection_id IS NULL OR current_connection IS NULL
                         OR connection_id = current_connection) THEN 'offline'
           END AS conn_state
    FROM ev_ctx
),
ev_state AS (
    -- a refused handshake is offline only for a charger without a connection up: anybody can
    -- fail a handshake under a charger's id while the charger itself stays connected
    SELECT charge_point_id, ev_at,
           CASE WHEN event = 'rejected' THEN
                    CASE WHEN last_value(conn_state IGNORE NULLS) OVER (
                             PARTITION BY charge_point_id ORDER BY ev_at, is_connect DESC
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) = 'online'
                         THEN NULL ELSE 'offline' END
                ELSE conn_state END AS state,
           event AS reason
    FROM ev_conn
),
first_seen AS (
    SELECT charge_point_id, min(ev_at) AS first_at
    FROM (
        SELECT charge_point_id, ev_at FROM ev
        UNION ALL
        SELECT charge_point_id, first_in FROM stg_activity WHERE first_in <= getvariable('as_of')
    )
    GROUP BY charge_point_id
),
marks AS (
    SELECT charge_point_id, ev_at, state, reason FROM ev_state WHERE state IS NOT NULL
    UNION ALL
    -- a charger first heard from by a frame (no connection event yet) is online from then
    SELECT f.charge_point_id, f.first_at, 'online', 'first_frame'
    FROM first_seen f
    WHERE NOT EXISTS (SELECT 1 FROM ev e
                      WHERE e.charge_point_id = f.charge_point_id AND e.ev_at <= f.first_at)
),
marks_next AS (
    SELECT *, lead(ev_at) OVER (PARTITION BY charge_point_id ORDER BY ev_at, state DESC) AS next_at
    FROM marks
),
event_offline AS (
    SELECT charge_point_id, ev_at AS from_at, coalesce(next_at, getvariable('as_of')) AS to_at,
           reason
    FROM marks_next
    WHERE state = 'offline'
),
gap_offline AS (
    SELECT g.charge_point_id,
           g.silent_from + to_microseconds(CAST(
               g.heartbeat_interval_s * getvariable('offline_tolerance') * 1e6 AS BIGINT))
               AS from_at,
           g.silent_until AS to_at, 'silent' AS reason
    FROM stg_gaps g
),
all_offline AS (
    SELECT * FROM event_offline
    UNION ALL
    SELECT g.* FROM gap_offline g
    JOIN first_seen f USING (charge_point_id)
    WHERE g.to_at > g.from_at AND g.to_at > f.first_at
),
ordered AS (
    SELECT *,
           max(to_at) OVER (PARTITION BY charge_point_id ORDER BY from_at, to_at
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
    FROM all_offline
    WHERE to_at > from_at
),
islands AS (
    SELECT *,
           sum(CASE WHEN prev_end IS NULL OR from_at > prev_end THEN 1 ELSE 0 END) OVER (
               PARTITION BY charge_point_id ORDER BY from_at, to_at) AS island
    FROM ordered
),
offline AS (
    SELECT i.charge_point_id, greatest(min(i.from_at), any_value(f.first_at)) AS from_at,
           least(max(i.to_at), getvariable('as_of')) AS to_at,
           arg_min(i.reason, i.from_at) AS reason
    FROM islands i JOIN first_seen f USING (charge_point_id)
    GROUP BY i.charge_point_id, i.island
),
offline_next AS (
    SELECT *, lead(from_at) OVER (PARTITION BY charge_point_id ORDER BY from_at) AS next_from,
           lag(to_at) OVER (PARTITION BY charge_point_id ORDER BY from_at) AS prev_to,
           row_number() OVER (PARTITION BY charge_point_id ORDER BY from_at) AS n
    FROM offline
    WHERE to_at > from_at
),
online AS (
    -- before the first offline interval
    SELECT f.charge_point_id, f.first_at AS from_at,
           coalesce(min(o.from_at), getvariable('as_of')) AS to_at
    FROM first_seen f LEFT JOIN offline_next o USING (charge_point_id)
    GROUP BY f.charge_point_id, f.first_at
    UNION ALL
    -- after each offline interval
    SELECT charge_point_id, to_at, coalesce(next_from, getvariable('as_of'))
    FROM offline_next
),
all_intervals AS (
    SELECT charge_point_id, from_at, to_at, 'online' AS state, NULL::VARCHAR AS reason
    FROM online WHERE to_at > from_at
    UNION ALL
    SELECT charge_point_id, from_at, to_at, 'offline', reason FROM offline_next
    WHERE to_at > from_at  -- no zero-length pieces: an ASOF lookup must find the lasting one
)
SELECT charge_point_id, from_at, to_at, state, reason,
       (epoch(to_at) - epoch(from_at)) / 60.0 AS duration_min,
       to_at = getvariable('as_of') AS ongoing
FROM all_intervals
ORDER BY charge_point_id, from_at
