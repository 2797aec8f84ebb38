-- Self-healing actions and what came of them: every command self-healing sent (the commands
-- table, requested_by 'self_healing': reset, change availability) with the charger's answer,
-- the trigger and reason it gave (score, features, codes), and the verified result of the
-- later 'Outcome' row for that command (cured / not_cured / out_of_service), if checked yet;
-- plus maintenance tickets recorded before the tickets store (Outcome rows with no command;
-- tickets now live in the tickets mart).
WITH sent AS (
    SELECT * FROM raw_commands WHERE requested_by = 'self_healing' AND action <> 'Outcome'
),
outcomes AS (
    SELECT command_id, arg_max(status, requested_at) AS result,
           arg_max(request, requested_at) AS result_detail, max(requested_at) AS checked_at
    FROM raw_commands WHERE requested_by = 'self_healing' AND action = 'Outcome'
    GROUP BY command_id
)
SELECT
    s.requested_at, s.charge_point_id, s.command_id, s.action, s.request,
    s.reason, TRY_CAST(s.reason AS JSON) ->> 'trigger' AS trigger,
    s.status AS answer, s.outcome, o.result, o.result_detail, o.checked_at
FROM sent s LEFT JOIN outcomes o USING (command_id)
UNION ALL BY NAME
SELECT
    o.checked_at AS requested_at, c.charge_point_id, c.command_id, 'MaintenanceTicket' AS action,
    NULL AS request, c.request AS reason, TRY_CAST(c.request AS JSON) ->> 'trigger' AS trigger,
    NULL AS answer, 'recorded' AS outcome, c.status AS result, c.request AS result_detail,
    o.checked_at
FROM raw_commands c JOIN outcomes o USING (command_id)
WHERE c.requested_by = 'self_healing' AND c.action = 'Outcome' AND c.command_id LIKE 'ticket-%'
