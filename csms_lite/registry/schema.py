"""Registry schema and its migrations, applied in order when a file is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from csms_lite.registry.errors import RegistryFileError

# Append new versions; never edit a released one. Index i holds the step to version i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE charge_points (
            id TEXT PRIMARY KEY,
            site TEXT,
            connectors INTEGER NOT NULL,
            rated_kw REAL,
            model TEXT,
            vendor TEXT,
            boot_status TEXT NOT NULL,
            heartbeat_interval INTEGER NOT NULL,
            password_hash TEXT,
            latitude REAL,
            longitude REAL,
            address TEXT
        ) WITHOUT ROWID""",
        # OCPP idTag is a CiString: case-insensitive, so the key is too.
        """CREATE TABLE id_tags (
            id_tag TEXT PRIMARY KEY COLLATE NOCASE,
            status TEXT NOT NULL,
            partner TEXT,
            expiry TEXT,
            parent_id_tag TEXT
        ) WITHOUT ROWID""",
        # AUTOINCREMENT: ids are never reused, even after rows are deleted.
        """CREATE TABLE transactions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            cp_id TEXT NOT NULL,
            connector_id INTEGER NOT NULL,
            id_tag TEXT NOT NULL,
            meter_start INTEGER NOT NULL,
            timestamp TEXT NOT NULL,
            started_at REAL NOT NULL,
            stopped_at REAL,
            UNIQUE (cp_id, connector_id, id_tag, meter_start, timestamp)
        )""",
        "CREATE INDEX transactions_open ON transactions (cp_id) WHERE stopped_at IS NULL",
    ),
    # Version 2: facts of a site, not of each charger (charge_points.site names it). A file
    # written by version 1 keeps its chargers; their sites simply have no zone yet.
    (
        """CREATE TABLE sites (
            id TEXT PRIMARY KEY,
            timezone TEXT NOT NULL
        ) WITHOUT ROWID""",
    ),
    # Version 3 (issue 18): API tokens (only a hash is kept), which caller sent each command
    # (so only it may record the command's outcome), and a charger's password while its
    # rotation is in flight (either password lets it connect until the rotation settles).
    (
        """CREATE TABLE api_tokens (
            name TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at REAL NOT NULL,
            revoked_at REAL,
            last_used_at REAL,
            use_count INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID""",
        """CREATE TABLE command_callers (
            command_id TEXT PRIMARY KEY,
            charge_point_id TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at REAL NOT NULL
        ) WITHOUT ROWID""",
        # Several when an earlier rotation got no answer (the charger may have taken it).
        """CREATE TABLE password_rotations (
            charge_point_id TEXT NOT NULL,
            pending_hash TEXT NOT NULL,
            started_at REAL NOT NULL,
            PRIMARY KEY (charge_point_id, pending_hash)
        ) WITHOUT ROWID""",
    ),
    # Version 4: the last local authorization list version sent to each charger (SendLocalList
    # numbers its lists; a charger keeps the version of the list it holds).
    (
        """CREATE TABLE local_lists (
            cp_id TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        ) WITHOUT ROWID""",
    ),
    # Version 5: a 2.0.1 station's device model as it reported it (NotifyReport); '' and 0
    # stand for an instance, EVSE or connector not given, so the key has no NULLs.
    (
        """CREATE TABLE charger_variables (
            cp_id TEXT NOT NULL,
            component TEXT NOT NULL,
            component_instance TEXT NOT NULL,
            evse_id INTEGER NOT NULL,
            connector_id INTEGER NOT NULL,
            variable TEXT NOT NULL,
            variable_instance TEXT NOT NULL,
            attribute_type TEXT NOT NULL,
            value TEXT,
            mutability TEXT,
            persistent INTEGER,
            constant INTEGER,
            data_type TEXT,
            unit TEXT,
            request_id INTEGER,
            reported_at REAL NOT NULL,
            PRIMARY KEY (cp_id, component, component_instance, evse_id, connector_id, variable,
                         variable_instance, attribute_type)
        ) WITHOUT ROWID""",
    ),
    # Version 6 (issue 21): a site's electrical model for energy management: its grid
    # connection limit, a tree of circuits (a NULL parent hangs off the site's connection), and
    # which circuit each charger is on (a NULL circuit: directly on the site's connection).
    (
        """CREATE TABLE site_limits (
            site TEXT PRIMARY KEY,
            grid_limit_kw REAL NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE circuits (
            site TEXT NOT NULL,
            id TEXT NOT NULL,
            parent TEXT,
            limit_kw REAL NOT NULL,
            PRIMARY KEY (site, id)
        ) WITHOUT ROWID""",
        """CREATE TABLE circuit_chargers (
            cp_id TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            circuit TEXT
        ) WITHOUT ROWID""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file to SCHEMA_VERSION. An up-to-date file is only read (no write lock)."""
    version = _current_version(conn)
    _refuse_newer(version, path)
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")  # concurrent openers of a new file take turns here
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = _current_version(conn)  # another process may have migrated meanwhile
        _refuse_newer(version, path)
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)  # not executescript(): it would COMMIT behind our back
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _current_version(conn: sqlite3.Connection) -> int:
    """0 for a new file."""
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    if conn.execute(query).fetchone() is None:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise RegistryFileError(
            path,
            f"schema version {version} is newer than this program knows ({SCHEMA_VERSION})",
            "Upgrade cpo-workbench, or point --data-dir at another folder.",
        )
