"""What app.py prepares on every run and the pages read: settings, cached runner, span,
filters. Caching: one DuckDB connection per marts folder and set of marts
(``st.cache_resource``), query results keyed by the marts' modification times
(``st.cache_data``), so a rebuilt warehouse shows on the next rerun."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.auth import Identity
from dashboard.filters import Filters
from dashboard.queries.common import Span
from dashboard.settings import Settings
from dashboard.warehouse import Params, Runner, connect, query, tables

_KEY = "cpo_context"


@dataclass(frozen=True)
class Context:
    settings: Settings
    tables: frozenset[str]
    run: Runner
    span: Span
    filters: Filters
    identity: Identity  # who is signed in (dashboard.auth)


@st.cache_resource(show_spinner=False)
def _connection(marts_dir: str, names: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    return connect(Path(marts_dir), names)


@st.cache_data(show_spinner=False, max_entries=2000, ttl=6 * 3600)
def _cached(
    marts_dir: str, version: tuple[tuple[str, float], ...], sql: str, params: tuple[object, ...]
) -> pd.DataFrame:
    con = _connection(marts_dir, tuple(name for name, _ in version))
    return query(con, sql, params)


def runner(marts_dir: Path) -> tuple[Runner, frozenset[str]]:
    found = tables(marts_dir)
    version = tuple(found.items())

    def run(sql: str, params: Params = ()) -> pd.DataFrame:
        return _cached(str(marts_dir), version, sql, tuple(params))

    return run, frozenset(found)


def publish(ctx: Context) -> None:
    st.session_state[_KEY] = ctx


def current() -> Context:
    ctx = st.session_state.get(_KEY)
    if not isinstance(ctx, Context):
        st.error("Open the dashboard through its main page (dashboard/app.py).")
        st.stop()
    return ctx
