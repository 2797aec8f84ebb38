"""Write the price tables into a warehouse connection (used by the revenue assets and tests).

``utility_prices``  utility_tariff x month_day (MMDD int) x day_type x local hour -> usd_per_kwh,
                    demand_charge_usd_per_kw (first matching schedule entry)
``tariff_components``  OCPI site tariffs flattened: one row per price component
``site_tariffs``    per site: AC/DC tariff ids and utility tariff (site_id NULL = default)
``partners``        roaming fee terms (partner NULL = unknown partners)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.tariffs import ocpi, utility

_STR, _F, _I, _B = pa.string(), pa.float64(), pa.int32(), pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "utility_prices": pa.schema(
        [
            ("utility_tariff", _STR),
            ("tariff_name", _STR),
            ("month_day", _I),
            ("day_type", _STR),
            ("hour", _I),
            ("schedule_entry", _STR),
            ("usd_per_kwh", _F),
            ("demand_charge_usd_per_kw", _F),
        ]
    ),
    "tariff_components": pa.schema(
        [
            ("tariff_id", _STR),
            ("currency", _STR),
            ("idle_grace_min", _F),
            ("element_no", _I),
            ("component_no", _I),
            ("type", _STR),
            ("price", _F),
            ("vat", _F),
            ("step_size", _I),
            ("start_minute", _I),
            ("end_minute", _I),
            ("start_date", _STR),
            ("end_date", _STR),
            ("min_duration_s", _I),
            ("max_duration_s", _I),
            ("days_of_week", _STR),
        ]
    ),
    "site_tariffs": pa.schema(
        [
            ("site_id", _STR),
            ("ac_tariff_id", _STR),
            ("dc_tariff_id", _STR),
            ("utility_tariff", _STR),
            ("utility_tariff_name", _STR),
            ("utility_source", _STR),
        ]
    ),
    "partners": pa.schema(
        [
            ("partner", _STR),
            ("name", _STR),
            ("own", _B),
            ("fee_pct", _F),
            ("fee_per_session_usd", _F),
        ]
    ),
}

_CASTS = {"start_date": "DATE", "end_date": "DATE"}


def write(conn: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, Any]]) -> int:
    schema = SCHEMAS[name]
    table = pa.Table.from_pylist(rows, schema=schema)
    conn.register(f"_{name}_rows", table)
    cols = ", ".join(f"CAST({c} AS {_CASTS[c]}) AS {c}" if c in _CASTS else c for c in schema.names)
    conn.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {cols} FROM _{name}_rows")
    conn.unregister(f"_{name}_rows")
    return len(rows)


def build_utility_prices(conn: duckdb.DuckDBPyConnection, config_dir: Path | None) -> int:
    rows = [r for t in utility.load(config_dir).values() for r in utility.price_rows(t)]
    return write(conn, "utility_prices", rows)


def build_tariff_components(conn: duckdb.DuckDBPyConnection, config_dir: Path | None) -> int:
    doc, _ = ocpi.load_tariffs(config_dir, utility.load(config_dir))
    return write(conn, "tariff_components", ocpi.component_rows(doc))


def build_site_tariffs(conn: duckdb.DuckDBPyConnection, config_dir: Path | None) -> int:
    utilities = utility.load(config_dir)
    doc, _ = ocpi.load_tariffs(config_dir, utilities)
    sites = [
        (str(r[0]), r[1], r[2])
        for r in conn.execute(
            "SELECT site_id, name, address FROM dim_sites WHERE site_id IS NOT NULL"
        ).fetchall()
    ]
    return write(conn, "site_tariffs", ocpi.site_rows(doc, utilities, sites))


def build_partners(conn: duckdb.DuckDBPyConnection, config_dir: Path | None) -> int:
    return write(conn, "partners", ocpi.partner_rows(ocpi.load_partners(config_dir)))


BUILDERS = {
    "utility_prices": build_utility_prices,
    "tariff_components": build_tariff_components,
    "site_tariffs": build_site_tariffs,
    "partners": build_partners,
}


def build_all(conn: duckdb.DuckDBPyConnection, config_dir: Path | None) -> None:
    for builder in BUILDERS.values():
        builder(conn, config_dir)
