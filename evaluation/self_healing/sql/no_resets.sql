-- The resets view of a lake with no commands table yet: typed, empty.
SELECT NULL::VARCHAR AS charge_point_id, NULL::TIMESTAMPTZ AS requested_at,
       NULL::TIMESTAMPTZ AS answered_at, NULL::VARCHAR AS trigger
LIMIT 0
