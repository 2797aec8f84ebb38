-- Charge attempts (ChargeX-style success rate, DESIGN): every session, every authorisation
-- rejected by the CSMS (status not Accepted: Blocked/Expired/Invalid/Unknown...) that did not become
-- a session with the same tag on that charger within 5 minutes, and every failed start: a port that
-- went Preparing (2.0.1: Occupied) and then back to Available/Faulted/Unavailable with no session on
-- it from 2 minutes before to 2 minutes after (a failed start within 5 minutes of a rejected
-- authorisation on the same charger is that same attempt, counted once, as auth_rejected).
-- Success = the session delivered more than 0.1 kWh and ended normally: a stop was received and its
-- reason is a normal one (Local, EVDisconnected, Remote, StoppedByEV, SOC/Energy/Time/Cost limit,
-- LocalOutOfCredit, MasterPass), not EmergencyStop/PowerLoss/Reboot/resets/faults/Other/Timeout
-- nor a missing stop. failure_reason: auth_rejected:<status>, abnormal_stop:<reason>, no_energy,
-- start_failed:<error code, NoError if none>. outcome 'open' = session still running at as_of.
-- known_at = when the outcome was known (the session's end, the authorisation, the failed start's
-- return to Available), so features may use it without looking ahead.
WITH normal_reasons(reason) AS (
    VALUES ('Local'), ('EVDisconnected'), ('Remote'), ('StoppedByEV'), ('SOCLimitReached'),
           ('EnergyLimitReached'), ('TimeLimitReached'), ('CostLimitReached'),
           ('LocalOutOfCredit'), ('MasterPass')
),
session_attempts AS (
    SELECT
        'session' AS kind, s.session_id AS attempt_id, s.charge_point_id, s.site_id, s.port_no,
        s.port_id, s.start_at AS attempt_at, coalesce(s.end_at, getvariable('as_of')) AS known_at,
        s.id_tag, s.energy_kwh,
        CASE
            WHEN s.auth_status IS NOT NULL AND s.auth_status <> 'Accepted'
                THEN 'auth_rejected:' || s.auth_status
            WHEN s.end_source = 'open' THEN NULL
            WHEN s.missing_stop OR s.stop_reason IS NULL
                 OR s.stop_reason NOT IN (SELECT reason FROM normal_reasons)
                THEN 'abnormal_stop:' || coalesce(s.stop_reason, 'None')
            WHEN coalesce(s.energy_kwh, 0) <= 0.1 THEN 'no_energy'
        END AS failure_reason,
        s.end_source = 'open' AND coalesce(s.auth_status, 'Accepted') = 'Accepted' AS is_open
    FROM sessions s
),
rejected AS (
    SELECT a.received_at, a.charge_point_id, a.id_tag, a.status, a.unique_id,
           c.site_id
    FROM stg_authorizations a
    LEFT JOIN dim_chargers c USING (charge_point_id)
    WHERE a.status IS NOT NULL AND a.status <> 'Accepted'
      AND NOT EXISTS (
          SELECT 1 FROM sessions s
          WHERE s.charge_point_id = a.charge_point_id AND upper(s.id_tag) = upper(a.id_tag)
            AND s.start_at BETWEEN a.received_at AND a.received_at + INTERVAL 5 MINUTE)
),
status_seq AS (
    SELECT charge_point_id, port_no, received_at, status, error_code,
           lag(status) OVER w AS prev_status,
           lead(status) OVER w AS next_status,
           lead(received_at) OVER w AS next_at,
           lead(error_code) OVER w AS next_error_code
    FROM stg_status
    WHERE port_no > 0
    WINDOW w AS (PARTITION BY charge_point_id, port_no ORDER BY received_at, seq)
),
plugged AS (
    -- a run of Preparing/Occupied reports: its first row, and where the run ended
    SELECT charge_point_id, port_no, received_at AS plug_at, error_code
    FROM status_seq
    WHERE status IN ('Preparing', 'Occupied')
      AND coalesce(prev_status, '') NOT IN ('Preparing', 'Occupied')
),
exits AS (
    SELECT charge_point_id, port_no, received_at AS last_plugged_at, next_status, next_at,
           next_error_code, error_code
    FROM status_seq
    WHERE status IN ('Preparing', 'Occupied')
      AND coalesce(next_status, '') NOT IN ('Preparing', 'Occupied')
),
episodes AS (
    SELECT p.charge_point_id, p.port_no, p.plug_at, e.next_status, e.next_at AS exit_at,
           coalesce(e.next_error_code, e.error_code, p.error_code) AS error_code
    FROM plugged p
    ASOF JOIN exits e
      ON e.charge_point_id = p.charge_point_id AND e.port_no = p.port_no
     AND e.last_plugged_at >= p.plug_at
),
port_sessions AS (
    SELECT charge_point_id, port_no, start_at,
           coalesce(end_at, getvariable('as_of')) AS end_at
    FROM sessions WHERE port_no > 0
),
failed_starts AS (
    SELECT ep.*
    FROM episodes ep
    ASOF LEFT JOIN port_sessions s
      ON s.charge_point_id = ep.charge_point_id AND s.port_no = ep.port_no
     AND s.start_at <= ep.exit_at + INTERVAL 2 MINUTE
    WHERE ep.next_status IN ('Available', 'Faulted', 'Unavailable')
      AND (s.start_at IS NULL OR s.end_at < ep.plug_at - INTERVAL 2 MINUTE)
),
rejected_ports AS (
    -- the port of a rejected authorisation: the failed start it explains, if any
    SELECT r.*, (SELECT min(f.port_no) FROM failed_starts f
                 WHERE f.charge_point_id = r.charge_point_id
                   AND f.plug_at <= r.received_at + INTERVAL 5 MINUTE
                   AND f.exit_at >= r.received_at - INTERVAL 5 MINUTE) AS port_no
    FROM rejected r
),
start_attempts AS (
    SELECT f.*
    FROM failed_starts f
    WHERE NOT EXISTS (
        SELECT 1 FROM rejected r
        WHERE r.charge_point_id = f.charge_point_id
          AND f.plug_at <= r.received_at + INTERVAL 5 MINUTE
          AND f.exit_at >= r.received_at - INTERVAL 5 MINUTE)
),
attempts AS (
    SELECT kind, attempt_id, charge_point_id, site_id, port_no, port_id, attempt_at, known_at, id_tag,
           energy_kwh, failure_reason, is_open
    FROM session_attempts
    UNION ALL
    SELECT 'authorization', r.charge_point_id || ':auth:' || r.unique_id, r.charge_point_id,
           r.site_id, r.port_no, r.charge_point_id || '/' || r.port_no, r.received_at,
           r.received_at, r.id_tag, 0.0, 'auth_rejected:' || r.status, false
    FROM rejected_ports r
    UNION ALL
    SELECT 'failed_start', f.charge_point_id || '/' || f.port_no || ':start:' || strftime(f.plug_at, '%Y%m%dT%H%M%S.%f'),
           f.charge_point_id, c.site_id, f.port_no, f.charge_point_id || '/' || f.port_no,
           f.plug_at, f.exit_at, NULL, 0.0,
           'start_failed:' || coalesce(f.error_code, 'NoError'), false
    FROM start_attempts f LEFT JOIN dim_chargers c USING (charge_point_id)
)
SELECT
    attempt_id, kind, charge_point_id, site_id, port_no, port_id, attempt_at, known_at,
    CAST(timezone(site_zone(z.timezone), attempt_at) AS DATE) AS local_date,  -- the site's day
    id_tag, energy_kwh,
    CASE WHEN is_open THEN 'open' WHEN failure_reason IS NULL THEN 'success' ELSE 'failed' END
        AS outcome,
    failure_reason
FROM attempts LEFT JOIN dim_sites z USING (site_id)
