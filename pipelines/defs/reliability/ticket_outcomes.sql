-- Ticket outcomes, the labels field service gives back: one row per closed ticket with the
-- charger (and port), when it was opened and closed, who opened it and why (the fault model's
-- probability and top features when its alert started it), and the outcome: outcome_label
-- 'fault' (resolved, resolved_cause says what was found) or 'false_alarm'; is_fault 1 / 0.
-- docs/tickets.md says how the fault model's training can use them.
SELECT ticket_id, charge_point_id, port, created_at, closed_at, created_by, trigger, cause,
       predicted_fault_type, probability, top_features, state AS outcome, outcome_label,
       CASE WHEN outcome_label = 'fault' THEN 1 ELSE 0 END AS is_fault,
       resolved_cause, resolution_note
FROM tickets
WHERE state IN ('resolved', 'false_alarm')
ORDER BY closed_at, ticket_id
