-- The dimension tables' contracts (filled from the registry, the simulator's network file and
-- the lake). Created empty first, so every mart builds even before any charger is registered.
CREATE TABLE IF NOT EXISTS dim_chargers (
    charge_point_id VARCHAR PRIMARY KEY,
    site_id VARCHAR,              -- NULL when the registry has no site for it
    vendor VARCHAR,
    model VARCHAR,
    kind VARCHAR,                 -- 'AC' or 'DC' (DC when rated_kw >= 50 or the network says so)
    rated_kw DOUBLE,              -- per port
    connectors INTEGER,           -- ports: 1.6 connectors, 2.0.1 EVSEs
    heartbeat_interval_s INTEGER,
    ocpp_version VARCHAR,         -- the last version it spoke
    latitude DOUBLE,
    longitude DOUBLE,
    address VARCHAR,
    commissioned_at TIMESTAMPTZ,  -- in service here (measured for uptime) from: its first frame
    installed_at TIMESTAMPTZ,     -- hardware install date if known (age), else commissioned_at
    first_seen_at TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS dim_ports (
    port_id VARCHAR PRIMARY KEY,  -- '<charge_point_id>/<port_no>'
    charge_point_id VARCHAR,
    port_no INTEGER,              -- 1.6 connectorId, 2.0.1 evseId
    site_id VARCHAR,
    kind VARCHAR,
    rated_kw DOUBLE,
    commissioned_at TIMESTAMPTZ,
    timezone VARCHAR              -- its site's IANA zone (dim_sites.timezone), else the default
);
CREATE TABLE IF NOT EXISTS dim_sites (
    site_id VARCHAR PRIMARY KEY,
    name VARCHAR,
    address VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    timezone VARCHAR,             -- IANA: registry, else network file, else the build's default
    chargers INTEGER,
    ports INTEGER
);
CREATE TABLE IF NOT EXISTS dim_id_tags (
    id_tag VARCHAR PRIMARY KEY,   -- upper case (OCPP id tags are case-insensitive)
    partner VARCHAR,              -- eMSP or the CPO's own app; NULL when unknown
    status VARCHAR,
    expiry VARCHAR
)
