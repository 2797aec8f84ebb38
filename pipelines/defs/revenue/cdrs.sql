-- Charge Detail Records in OCPI 2.2.1 terms, one per finished session (open sessions get none):
-- the basis of partner settlement reports. Costs are the session's revenue (session_charges),
-- excl. VAT: total_energy_cost is OCPI's (what the driver pays for energy), not the utility cost.
-- id = session_id. cdr_token: uid = the id tag, type APP_USER for the CPO's own app else RFID,
-- contract_id = the id tag (no eMA id is known). auth_method AUTH_REQUEST (OCPP Authorize).
-- cdr_location: the site (dim_sites; the charger's own coordinates when the site has none),
-- evse_uid = port_id, connector_id = the OCPP connector. total_time and total_parking_time are
-- hours (parking = idle after charging ended). charging_periods (JSON text): one period per
-- hourly energy slice (ENERGY kWh, from the later of the hour and the session start) and one at the end of charging with PARKING_TIME hours.
-- last_updated = end of the session (deterministic rebuilds).
WITH periods AS (
    SELECT session_id, list(struct_pack(
        start_date_time := strftime(greatest(e.slice_start, sc.start_at), '%Y-%m-%dT%H:%M:%SZ'),
        dimensions := [struct_pack(type := 'ENERGY', volume := round(e.kwh, 4))]
    ) ORDER BY e.slice_start) AS energy_periods
    FROM session_energy_slices e JOIN session_charges sc USING (session_id)
    GROUP BY session_id
)
SELECT
    c.session_id AS id,
    c.start_at AS start_date_time,
    c.end_at AS end_date_time,
    c.session_id,
    c.id_tag AS cdr_token_uid,
    CASE WHEN p.own THEN 'APP_USER' ELSE 'RFID' END AS cdr_token_type,
    c.id_tag AS cdr_token_contract_id,
    'AUTH_REQUEST' AS auth_method,
    c.site_id AS cdr_location_id,
    coalesce(site.name, ch.address) AS cdr_location_name,
    coalesce(site.address, ch.address) AS cdr_location_address,
    coalesce(site.latitude, ch.latitude) AS cdr_location_latitude,
    coalesce(site.longitude, ch.longitude) AS cdr_location_longitude,
    -- a session that named no connector: the charger itself (OCPP connector 0)
    coalesce(c.port_id, c.charge_point_id || '/0') AS cdr_location_evse_uid,
    CAST(c.connector_id AS VARCHAR) AS cdr_location_connector_id,
    c.currency,
    c.tariff_id,
    c.total_revenue AS total_cost_excl_vat,
    c.energy_kwh AS total_energy,
    c.duration_min / 60 AS total_time,
    c.idle_min / 60 AS total_parking_time,
    c.energy_revenue AS total_energy_cost,
    c.time_revenue AS total_time_cost,
    c.parking_revenue AS total_parking_cost,
    c.flat_revenue AS total_fixed_cost,
    c.partner,
    to_json(list_concat(
        coalesce(e.energy_periods, []),
        CASE WHEN c.idle_min > 0 THEN [struct_pack(
            start_date_time := strftime(c.charging_end_at, '%Y-%m-%dT%H:%M:%SZ'),
            dimensions := [struct_pack(type := 'PARKING_TIME', volume := round(c.idle_min / 60, 4))]
        )] ELSE [] END
    ))::VARCHAR AS charging_periods,
    c.end_at AS last_updated
FROM (
    SELECT sc.*,
           (epoch(sc.end_at) - epoch(sc.start_at)) / 60 AS duration_min
    FROM session_charges sc
) c
LEFT JOIN periods e USING (session_id)
LEFT JOIN partners p ON p.partner = c.partner
LEFT JOIN dim_sites site ON site.site_id = c.site_id
LEFT JOIN dim_chargers ch ON ch.charge_point_id = c.charge_point_id
ORDER BY c.start_at, c.session_id
