-- Charging sessions, one per transaction, from 1.6 StartTransaction/StopTransaction/MeterValues
-- and 2.0.1 TransactionEvent. Times are the server's received_at: charger clocks can be wrong
-- (1970, or hours off), so their median offset is kept as clock_skew_min and flagged.
-- kWh comes from the energy register (stop minus start, else the samples' range); charging ends
-- when the register last rose, and the idle (overstay) time runs from there to the end.
-- Duplicated or retried events count once (duplicate_events counts the extra frames). Stops
-- that disagree on the final register (a second StopTransaction, or 2.0.1 Ended, with another
-- meterStop) are a data-quality issue, not a retry: the first one received still gives the
-- session's end and energy, and duplicate_stop_conflict is true; identical retries leave it
-- false. A session with no stop is closed, and flagged, by the next boot of its charger (unless
-- the transaction went on after it), the next session on its port, or after
-- session_timeout_hours without any sign of it (end_source 'boot' / 'next_session' /
-- 'timeout'); else it is 'open'. foreign_transaction: a 1.6 stop or
-- meter value naming a transaction id this charger never started but another charge point did
-- (1.6 ids are the CSMS's, one namespace): never the owner's session, and never billed.
-- quarantine_reason (NULL if plausible): another charge point's transaction, a register that went
-- down, more kWh than rated power x duration x plausibility_margin, negative power, or power above
-- the rating x margin, a tag our answer did not accept (Blocked, Invalid, Expired...: the
-- charger should not have charged), or a connector the charger does not have. A charger has the
-- ports of dim_ports (1..connectors of its registry entry, and those it reported a status for);
-- a 1.6 StartTransaction whose connectorId is no 32-bit integer (2^63), or a port number <= 0,
-- names none; a charger nothing is known of (no dim_chargers row) is not judged. Such a session
-- has no port (port_no and port_id NULL; the reason names the claim), so no port is invented.
-- A quarantined session is kept and listed, but never billed or reported.
WITH tx AS (
    SELECT
        charge_point_id,
        transaction_id,
        any_value(ocpp_version) AS ocpp_version,
        min(received_at) FILTER (event = 'started') AS started_at,
        min(received_at) AS first_event_at,
        max(received_at) AS last_event_at,
        arg_min(port_no, received_at) FILTER (port_no IS NOT NULL) AS port_no,
        arg_min(connector_id, received_at) FILTER (connector_id IS NOT NULL) AS connector_id,
        arg_min(id_tag, received_at) FILTER (id_tag IS NOT NULL) AS id_tag,
        arg_min(auth_status, received_at) FILTER (auth_status IS NOT NULL) AS auth_status,
        min(received_at) FILTER (event = 'ended') AS stopped_at,
        arg_min(stop_reason, received_at) FILTER (event = 'ended') AS stop_reason,
        arg_min(meter_wh, received_at) FILTER (event = 'started' AND meter_wh IS NOT NULL)
            AS meter_start_wh,
        arg_min(meter_wh, received_at) FILTER (event = 'ended' AND meter_wh IS NOT NULL)
            AS meter_stop_wh,
        count(DISTINCT unique_id) FILTER (event = 'started') AS starts_received,
        count(DISTINCT unique_id) FILTER (event = 'ended') AS stops_received,
        count(DISTINCT meter_wh) FILTER (event = 'ended') > 1 AS duplicate_stop_conflict,
        median(epoch(charger_time) - epoch(received_at)) / 60 AS clock_skew_min,
        bool_or(year(charger_time) < 2000) AS clock_unset
    FROM stg_tx_events
    WHERE transaction_id IS NOT NULL
    GROUP BY charge_point_id, transaction_id
),
samples AS (
    SELECT
        charge_point_id, transaction_id, received_at, energy_wh, power_w,
        max(energy_wh) OVER (PARTITION BY charge_point_id, transaction_id) AS final_wh,
        -- the register going down within a transaction, in the charger's own order
        energy_wh < lag(energy_wh) OVER (PARTITION BY charge_point_id, transaction_id
                                         ORDER BY charger_time, received_at) AS register_fell
    FROM stg_meter
    WHERE transaction_id IS NOT NULL
),
meter AS (
    SELECT
        charge_point_id, transaction_id,
        min(energy_wh) AS min_wh,
        max(energy_wh) AS max_wh,
        max(power_w) AS peak_w,
        min(power_w) AS min_power_w,
        coalesce(bool_or(register_fell), false) AS register_fell,
        min(received_at) FILTER (energy_wh >= final_wh) AS reached_final_at,
        min(received_at) AS first_sample_at,
        max(received_at) AS last_sample_at,
        count(*) AS samples
    FROM samples
    GROUP BY ALL
),
boots AS (
    SELECT charge_point_id, received_at AS boot_at FROM stg_boots
),
starters AS (
    SELECT DISTINCT transaction_id, charge_point_id FROM stg_tx_events
    WHERE event = 'started' AND ocpp_version = '1.6' AND transaction_id IS NOT NULL
),
base AS (
    SELECT
        tx.*,
        -- no start received (lost, or foreign): the first sign of it, an event or a sample
        coalesce(tx.started_at, least(tx.first_event_at, meter.first_sample_at)) AS start_at,
        greatest(tx.last_event_at, coalesce(meter.last_sample_at, tx.last_event_at)) AS last_sign_at,
        meter.min_wh, meter.max_wh, meter.peak_w, meter.reached_final_at,
        meter.min_power_w, coalesce(meter.register_fell, false) AS register_fell,
        coalesce(meter.samples, 0) AS samples
    FROM tx LEFT JOIN meter USING (charge_point_id, transaction_id)
),
closers AS (
    SELECT
        b.charge_point_id, b.transaction_id,
        (SELECT min(boot_at) FROM boots o
          WHERE o.charge_point_id = b.charge_point_id AND o.boot_at > b.start_at) AS next_boot_at,
        lead(b.start_at) OVER (PARTITION BY b.charge_point_id, b.port_no ORDER BY b.start_at)
            AS next_start_at
    FROM base b
),
ended AS (
    SELECT
        b.*,
        CASE
            WHEN b.stopped_at IS NOT NULL THEN 'stop'
            -- a boot ends it unless the transaction went on after it (chargers may resume one)
            WHEN c.next_boot_at IS NOT NULL AND b.last_sign_at <= c.next_boot_at
                 AND c.next_boot_at <= coalesce(c.next_start_at, c.next_boot_at) THEN 'boot'
            WHEN c.next_start_at IS NOT NULL THEN 'next_session'
            WHEN getvariable('as_of') - b.last_sign_at
                 > to_microseconds(CAST(getvariable('session_timeout_hours') * 3600e6 AS BIGINT))
                THEN 'timeout'
            ELSE 'open'
        END AS end_source,
        c.next_boot_at, c.next_start_at
    FROM base b JOIN closers c USING (charge_point_id, transaction_id)
),
timed AS (
    SELECT
        *,
        CASE end_source
            WHEN 'stop' THEN stopped_at
            WHEN 'boot' THEN next_boot_at
            WHEN 'next_session' THEN next_start_at
            WHEN 'timeout' THEN last_sign_at
        END AS end_at,
        CASE
            WHEN meter_stop_wh IS NOT NULL AND meter_start_wh IS NOT NULL
                 AND meter_stop_wh >= meter_start_wh THEN meter_stop_wh - meter_start_wh
            WHEN max_wh IS NOT NULL AND coalesce(meter_start_wh, min_wh) <= max_wh
                THEN max_wh - coalesce(meter_start_wh, min_wh)
            ELSE 0
        END AS energy_wh
    FROM ended
),
ported AS (
    SELECT
        t.*,
        CASE
            WHEN t.port_no IS NULL
                THEN t.ocpp_version = '1.6' AND t.started_at IS NOT NULL  -- connectorId absurd
            WHEN t.port_no <= 0 THEN true
            WHEN NOT EXISTS (SELECT 1 FROM dim_chargers d
                             WHERE d.charge_point_id = t.charge_point_id) THEN false
            ELSE NOT EXISTS (SELECT 1 FROM dim_ports p
                             WHERE p.charge_point_id = t.charge_point_id
                               AND p.port_no = t.port_no)
        END AS unknown_connector
    FROM timed t
),
sessions AS (
SELECT
    t.charge_point_id || ':' || t.transaction_id AS session_id,
    t.charge_point_id,
    c.site_id,
    CASE WHEN NOT t.unknown_connector THEN t.port_no END AS port_no,
    CASE WHEN NOT t.unknown_connector THEN t.charge_point_id || '/' || t.port_no END AS port_id,
    t.connector_id,
    t.ocpp_version,
    t.transaction_id,
    t.id_tag,
    tags.partner,
    t.auth_status,
    t.start_at,
    t.end_at,
    CASE
        WHEN t.energy_wh <= 0 THEN t.start_at
        ELSE least(coalesce(t.reached_final_at, t.end_at), coalesce(t.end_at, t.reached_final_at))
    END AS charging_end_at,
    t.energy_wh / 1000.0 AS energy_kwh,
    t.meter_start_wh,
    t.meter_stop_wh,
    t.peak_w / 1000.0 AS peak_kw,
    coalesce(t.stop_reason, CASE t.end_source WHEN 'boot' THEN 'Reboot'
                                             WHEN 'next_session' THEN 'Other'
                                             WHEN 'timeout' THEN 'Timeout' END) AS stop_reason,
    t.end_source,
    t.end_source NOT IN ('stop', 'open') AS missing_stop,
    t.samples AS meter_samples,
    t.starts_received + t.stops_received - (t.started_at IS NOT NULL)::INT
        - (t.stopped_at IS NOT NULL)::INT AS duplicate_events,
    t.duplicate_stop_conflict,
    coalesce(t.started_at IS NULL AND t.ocpp_version = '1.6' AND EXISTS (
        SELECT 1 FROM starters o
        WHERE o.transaction_id = t.transaction_id AND o.charge_point_id <> t.charge_point_id
    ), false) AS foreign_transaction,
    t.min_power_w,
    t.unknown_connector,
    t.port_no AS claimed_port_no,
    t.register_fell OR t.meter_stop_wh < t.meter_start_wh AS register_fell,
    c.rated_kw AS charger_rated_kw,
    t.clock_skew_min,
    coalesce(t.clock_unset, false)
        OR abs(coalesce(t.clock_skew_min, 0)) > getvariable('clock_skew_minutes') AS clock_skewed,
    CAST(t.start_at AS DATE) AS start_date
FROM ported t
LEFT JOIN dim_chargers c USING (charge_point_id)
LEFT JOIN dim_id_tags tags ON tags.id_tag = upper(t.id_tag)
)
SELECT
    * EXCLUDE (start_date, min_power_w, unknown_connector, claimed_port_no, register_fell,
               charger_rated_kw),
    (epoch(end_at) - epoch(start_at)) / 60 AS duration_min,
    (epoch(charging_end_at) - epoch(start_at)) / 60 AS charging_min,
    (epoch(end_at) - epoch(charging_end_at)) / 60 AS idle_min,
    -- NULL: plausible. Else why the session is quarantined: never billed, never in a partner's
    -- report, listed for operators (the margin is getvariable('plausibility_margin'))
    nullif(concat_ws(', ',
        CASE WHEN foreign_transaction THEN 'another charge point''s transaction' END,
        CASE WHEN register_fell THEN 'energy register went down' END,
        CASE WHEN charger_rated_kw > 0 AND energy_kwh > charger_rated_kw
                  * greatest(epoch(coalesce(end_at, getvariable('as_of'))) - epoch(start_at), 60) / 3600
                  * getvariable('plausibility_margin')
             THEN 'more energy than the rated power allows in its duration' END,
        CASE WHEN min_power_w < 0 THEN 'negative power' END,
        CASE WHEN charger_rated_kw > 0
                  AND peak_kw > charger_rated_kw * getvariable('plausibility_margin')
             THEN 'power above the charger''s rating' END,
        CASE WHEN auth_status <> 'Accepted' THEN 'tag not accepted (' || auth_status || ')' END,
        CASE WHEN unknown_connector
             THEN 'unknown connector ('
                  || coalesce(claimed_port_no::VARCHAR, 'not a 32-bit integer') || ')' END
    ), '') AS quarantine_reason,
    start_date
FROM sessions
