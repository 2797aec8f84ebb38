-- The simulated field service, from the truth: faults averted (by a reset or a technician),
-- truck rolls by effect, their cost, and the fault hours they saved (a repair: from its end to
-- when the fault would have ended; an aversion: the whole fault it stopped). Onsets and ends
-- in the rolls' detail are epoch seconds.
WITH rolls AS (
    SELECT ended_by AS effect,
           json_extract(detail, '$.cost_usd')::DOUBLE AS cost_usd,
           json_extract(detail, '$.onset')::DOUBLE AS onset,
           json_extract(detail, '$.would_end')::DOUBLE AS would_end,
           epoch("end") AS done_at
    FROM {truth} WHERE kind = 'truck_roll'
), saved AS (
    SELECT *, CASE WHEN effect = 'averted' THEN would_end - onset
                   WHEN effect = 'repaired' THEN greatest(0, would_end - done_at)
                   ELSE 0 END / 3600 AS saved_h
    FROM rolls
)
SELECT
    (SELECT count(*) FROM {truth} WHERE kind = 'fault' AND NOT curable)
        AS "technician faults (truth)",
    (SELECT count(*) FROM {truth} WHERE kind = 'averted') AS "faults averted (truth)",
    (SELECT count(*) FROM {truth} WHERE kind = 'averted' AND ended_by = 'technician')
        AS "faults averted by a technician (truth)",
    (SELECT count(*) FROM {truth} WHERE kind = 'averted' AND ended_by = 'technician'
     AND NOT curable) AS "technician faults averted (truth)",
    (SELECT count(*) FROM saved) AS "truck rolls (truth)",
    (SELECT count(*) FROM saved WHERE saved_h > 0) AS "truck rolls, useful (truth)",
    (SELECT count(*) FROM saved WHERE saved_h <= 0) AS "truck rolls, wasted (truth)",
    (SELECT count(*) FROM saved WHERE effect = 'repaired') AS "truck rolls repairing a fault on",
    (SELECT count(*) FROM saved WHERE effect = 'averted') AS "truck rolls averting a fault",
    (SELECT coalesce(sum(cost_usd), 0) FROM saved) AS "field-service cost (USD)",
    (SELECT coalesce(sum(saved_h), 0) FROM saved) AS "fault hours saved by rolls (truth)"
