"""Read-only access to the published marts (``<data>/warehouse/marts/<table>.parquet``).

Each mart is a DuckDB view over its Parquet file, so a query always reads the file as it is now:
the pipelines replace marts atomically and never wait on the dashboard (we never open
warehouse.duckdb, which the pipelines hold while they build). No Streamlit here, so the
benchmark and tests can time the same queries without it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.nevi import create_macro as create_nevi_macro

Params = Sequence[object]
Runner = Callable[[str, Params], pd.DataFrame]


def tables(marts_dir: Path) -> dict[str, float]:
    """Mart name -> file modification time (the cache key: a rebuilt mart gets a new time)."""
    if not marts_dir.is_dir():
        return {}
    return {p.stem: p.stat().st_mtime for p in sorted(marts_dir.glob("*.parquet"))}


def connect(marts_dir: Path, names: Sequence[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per mart file, and the marts' ``meets_nevi`` macro."""
    con = duckdb.connect(":memory:", config={"threads": 2})
    create_nevi_macro(con, temporary=False)  # in :memory:, seen by the cursor of each query
    for name in names:
        path = str(marts_dir / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Params = ()) -> pd.DataFrame:
    # A cursor per query: Streamlit serves each browser session from its own thread.
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).df()


def plain_runner(marts_dir: Path) -> Runner:
    """A runner without caching (benchmark baseline, tests of the query functions)."""
    con = connect(marts_dir, list(tables(marts_dir)))

    def run(sql: str, params: Params = ()) -> pd.DataFrame:
        return query(con, sql, params)

    return run
