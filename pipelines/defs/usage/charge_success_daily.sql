-- Charge success per local day, site, port and failure reason (ChargeX-style, DESIGN):
-- attempts = closed attempts of charge_attempts (sessions, rejected authorisations, failed starts;
-- open sessions are left out until they end), successes = those that delivered > 0.1 kWh and ended
-- normally. Success rate = sum(successes) / sum(attempts) over any grouping. failure_reason is
-- NULL on the successes' row.
SELECT
    local_date, site_id, charge_point_id, port_id, failure_reason,
    split_part(failure_reason, ':', 1) AS failure_kind,
    count(*) AS attempts,
    count(*) FILTER (outcome = 'success') AS successes,
    count(*) FILTER (outcome = 'failed') AS failures,
    sum(energy_kwh) AS kwh
FROM charge_attempts
WHERE outcome <> 'open'
GROUP BY ALL
