-- Authorize requests with our answer: the id tag presented and the status it got.
WITH calls AS (
    SELECT received_at, date, charge_point_id, connection_id, ocpp_version, unique_id,
           payload::JSON AS p
    FROM raw_ocpp_messages
    WHERE direction = 'in' AND message_type = 2 AND action = 'Authorize'
      AND date BETWEEN getvariable('stg_from') AND getvariable('stg_to')
),
answers AS (
    SELECT connection_id, unique_id, any_value(payload::JSON) AS r
    FROM raw_ocpp_messages
    WHERE direction = 'out' AND message_type IN (3, 4) AND action = 'Authorize'
    GROUP BY ALL
)
SELECT
    received_at, charge_point_id, ocpp_version,
    coalesce(p ->> 'idTag', p -> 'idToken' ->> 'idToken') AS id_tag,
    coalesce(r -> 'idTagInfo' ->> 'status', r -> 'idTokenInfo' ->> 'status', 'NoAnswer') AS status,
    unique_id, date
FROM calls LEFT JOIN answers USING (connection_id, unique_id)
