"""Reference data outside the lake that the dimensions read, registered on a connection as Arrow
tables: the CSMS registry (``reg_*``) and the simulator's network file (``net_*``, when the data
folder was simulated; a real operator's asset register) and the replays' own session amounts
(``replay_prices``, ``cpo replay --price-col``) and the maintenance tickets store
(``ref_tickets``, ``ref_ticket_events``). Not Dagster assets: nothing builds them."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.replay import prices
from pipelines.errors import ConfigFileError
from pipelines.warehouse import registry_tables, sql_files, ticket_tables
from pipelines.warehouse.layout import Layout

NET_SITES = pa.schema(
    [
        ("site_id", pa.string()),
        ("name", pa.string()),
        ("address", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("timezone", pa.string()),  # IANA; NULL in a network file older than the field
    ]
)
NET_CHARGERS = pa.schema(
    [("charge_point_id", pa.string()), ("kind", pa.string()), ("installed_days_ago", pa.int32())]
)


# The names a model's SQL reads them by (pipelines.lineage: no asset builds them).
TABLE_NAMES = frozenset(
    {"reg_chargers", "reg_id_tags", "reg_sites", "reg_site_limits", "net_sites", "net_chargers",
     "replay_prices", "ref_tickets", "ref_ticket_events"}
)


# The connection variable that holds the fingerprint of the files last registered on it.
REGISTERED = "reference_files"


def register(conn: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """``reg_chargers``, ``reg_id_tags``, ``reg_sites``, ``net_sites``, ``net_chargers`` (empty
    when absent), unless this connection has them from the same files: several marts of one
    build read them, and reading the registry and tickets stores each time cost more than most
    of those marts' SQL."""
    stamp = _fingerprint(layout)
    if sql_files.scalar(conn, f"SELECT getvariable('{REGISTERED}')") == stamp:
        return
    _register(conn, layout)
    conn.execute(f"SET VARIABLE {REGISTERED} = ?", [stamp])


def _fingerprint(layout: Layout) -> str:
    """Sizes and modification times of every file the tables come from (a SQLite store's
    ``-wal`` too: a committed change may live there only)."""
    files = [layout.registry_file, layout.sim_network_file, layout.tickets_file,
             *prices.files(layout.replay_prices)]
    files += [f.with_name(f.name + "-wal") for f in (layout.registry_file, layout.tickets_file)]
    stats = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            stats.append(f"{f}:-")
        else:
            stats.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(stats)


def _register(conn: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    conn.register("reg_chargers", registry_tables.read(layout.registry_file, "chargers"))
    conn.register("reg_id_tags", registry_tables.read(layout.registry_file, "id_tags"))
    conn.register("reg_sites", registry_tables.read(layout.registry_file, "sites"))
    conn.register("reg_site_limits", registry_tables.read(layout.registry_file, "site_limits"))
    sites, chargers = _network(layout.sim_network_file)
    conn.register("net_sites", sites)
    conn.register("net_chargers", chargers)
    conn.register("replay_prices", _replay_prices(layout.replay_prices))
    tickets, events = ticket_tables.read(layout.tickets_file)
    conn.register("ref_tickets", tickets)
    conn.register("ref_ticket_events", events)


def _replay_prices(folder: Path) -> pa.Table:
    found = prices.files(folder)
    if not found:
        return prices.SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=prices.SCHEMA) for f in found])


def _network(path: Path) -> tuple[pa.Table, pa.Table]:
    if not path.exists():
        return NET_SITES.empty_table(), NET_CHARGERS.empty_table()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        sites = [
            {
                "site_id": s["id"],
                "name": s.get("name"),
                "address": s.get("address"),
                "latitude": s.get("latitude"),
                "longitude": s.get("longitude"),
                "timezone": s.get("timezone"),
            }
            for s in doc.get("sites", [])
        ]
        chargers = [
            {
                "charge_point_id": c["id"],
                "kind": c.get("kind"),
                "installed_days_ago": c.get("installed_days_ago"),
            }
            for c in doc.get("chargers", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigFileError(
            f"{path}: not a network file written by `cpo simulate` ({exc}); delete or fix it"
        ) from exc
    return pa.Table.from_pylist(sites, NET_SITES), pa.Table.from_pylist(chargers, NET_CHARGERS)
