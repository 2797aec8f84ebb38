"""Each charger's last frame before a staging build's window, wherever it lies in the lake.

A staging build reads its days plus one on each side (``staging_build``), so a silence that
began before that window, say across days with no lake files at all, would have no first frame
to measure from, and a staged day would depend on which range built it. ``stg_gaps`` and
``stg_activity`` measure a window's first frame of each charger from the row found here.
Earlier lake days are read newest first, a few at a time, and only until every charger of the
window is found (most are on the lake day just before it).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ingest.lake import listing, location
from pipelines.warehouse.layout import Layout

NAME = "prior_frames"  # the table the staging SQL reads
SCHEMA = pa.schema(
    [("charge_point_id", pa.string()), ("received_at", pa.timestamp("us", tz="UTC"))]
)
DAYS_PER_READ = 8


def register_empty(conn: duckdb.DuckDBPyConnection) -> None:
    conn.register(NAME, SCHEMA.empty_table())


def register(conn: duckdb.DuckDBPyConnection, layout: Layout, window_start: str) -> None:
    """``prior_frames``: for each charger with an incoming frame in ``raw_ocpp_messages``, its
    last incoming frame on a lake day before ``window_start`` (none when it has none)."""
    wanted = {
        str(cp) for (cp,) in conn.execute(
            "SELECT DISTINCT charge_point_id FROM raw_ocpp_messages WHERE direction = 'in'"
        ).fetchall()
    }  # fmt: skip
    earlier = [d for d in layout.lake_dates("ocpp_messages") if d < window_start]
    where = location.of(layout.lake)
    found: dict[str, object] = {}
    while wanted and earlier:
        batch, earlier = earlier[-DAYS_PER_READ:], earlier[:-DAYS_PER_READ]
        files = [p.uri for p in listing.list_parts(where, "ocpp_messages", batch)]
        if not files:
            continue
        quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        rows = conn.execute(
            f"SELECT charge_point_id, max(received_at) FROM read_parquet([{quoted}]) "
            "WHERE direction = 'in' AND list_contains(?, charge_point_id) GROUP BY ALL",
            [sorted(wanted)],
        ).fetchall()
        for cp, at in rows:
            found[str(cp)] = at
            wanted.discard(str(cp))
    conn.register(NAME, pa.table({"charge_point_id": list(found), "received_at": list(
        found.values())}, SCHEMA))
