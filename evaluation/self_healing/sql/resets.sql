-- Self-healing resets, with the trigger the loop wrote into the command's reason.
SELECT charge_point_id, requested_at, answered_at,
       json_extract_string(reason, '$.trigger') AS trigger
FROM {commands}
WHERE requested_by = 'self_healing' AND action = 'Reset'
