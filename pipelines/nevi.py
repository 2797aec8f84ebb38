"""The NEVI uptime rule, 23 CFR 680.116(b): a charging port must be up *more than* 97 % of the
time, so a port at exactly 97.0 % does not meet it. Every reader judges with this module: the
marts through the SQL macro ``meets_nevi`` (created on each warehouse connection), the dashboard
on its own DuckDB connection with the same macro and in Python with ``meets_nevi``. "Below 97 %"
in a label means "not meeting the rule", i.e. at most 97 %.

Only the standard library and ``duckdb`` (for a type), so the dashboard may import it
(tests/test_layering.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

NEVI_UPTIME_THRESHOLD_PCT = 97.0  # a port meets NEVI strictly above this
NEVI_TARGET_LABEL = f"{NEVI_UPTIME_THRESHOLD_PCT:g} %"  # "97 %", as pages and summaries say it

# The SQL form of ``meets_nevi``, generated from the constant (NULL in, NULL out).
_MACRO = (
    "-- NEVI 23 CFR 680.116(b): a port meets the rule when its uptime is > "
    f"{NEVI_UPTIME_THRESHOLD_PCT!r} % (exactly {NEVI_UPTIME_THRESHOLD_PCT!r} does not).\n"
    "CREATE OR REPLACE {scope}MACRO meets_nevi(uptime_pct) AS "
    f"uptime_pct > {NEVI_UPTIME_THRESHOLD_PCT!r}"
)


def meets_nevi(uptime_pct: float) -> bool:
    """True when a port's uptime meets NEVI: strictly more than 97 %."""
    return uptime_pct > NEVI_UPTIME_THRESHOLD_PCT


def macro_sql(temporary: bool = True) -> str:
    """The ``CREATE MACRO meets_nevi`` statement."""
    return _MACRO.format(scope="TEMP " if temporary else "")


def create_macro(conn: duckdb.DuckDBPyConnection, temporary: bool = True) -> None:
    """``meets_nevi(uptime_pct)`` on ``conn``. A temp macro (the warehouse's, like its other
    macros: never stored in warehouse.duckdb) is seen by this connection only; an in-memory
    database that serves queries through cursors needs ``temporary=False``."""
    conn.execute(macro_sql(temporary))
