-- Maintenance tickets (the tickets store, <data>/tickets/tickets.sqlite: opened by self-healing
-- or by hand, moved by `cpo tickets`): one row per ticket with its current state, when it was
-- dispatched, reached on site and closed (NULL until then), active (open, dispatched or
-- on_site) and, once closed, outcome_label: 'fault' (resolved, with the cause found) or
-- 'false_alarm'; time_to_close_min from opening to closing.
WITH times AS (
    SELECT ticket_id,
           min("at") FILTER (to_state = 'dispatched') AS dispatched_at,
           min("at") FILTER (to_state = 'on_site') AS on_site_at,
           max("at") FILTER (to_state IN ('resolved', 'false_alarm')) AS closed_at
    FROM ref_ticket_events GROUP BY ticket_id
)
SELECT t.ticket_id, t.charge_point_id, t.port, t.created_at, t.created_by, t.trigger, t.cause,
       t.reason, t.predicted_fault_type, t.probability, t.top_features, t.state, t.updated_at,
       x.dispatched_at, x.on_site_at, x.closed_at,
       t.state IN ('open', 'dispatched', 'on_site') AS active,
       (epoch(x.closed_at) - epoch(t.created_at)) / 60.0 AS time_to_close_min,
       t.resolution_note, t.resolved_cause, t.outcome_label
FROM ref_tickets t LEFT JOIN times x USING (ticket_id)
ORDER BY t.created_at, t.ticket_id
