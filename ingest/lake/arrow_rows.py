"""Row tuples to Arrow tables (column-wise), and the split of a table by UTC date.

Runs in the converter process (see ``converter``), never on the server's event loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ingest.lake.schemas import timestamp_columns

Row = tuple[object, ...]
Rejected = tuple[Row, str]  # a row that does not fit the schema, with the reason

# Converting in chunks bounds the memory of one step and the cost of isolating a bad row.
CHUNK_ROWS = 4_096
_DATA_ERRORS = (pa.ArrowException, TypeError, ValueError, OverflowError)


def rows_to_table(schema: pa.Schema, rows: Sequence[Row]) -> tuple[pa.Table, list[Rejected]]:
    """The rows as a table of ``schema``; rows with values of the wrong type are set apart."""
    tables: list[pa.Table] = []
    rejected: list[Rejected] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        try:
            tables.append(_chunk_to_table(schema, chunk))
        except _DATA_ERRORS:
            good, bad = _isolate(schema, chunk)
            rejected.extend(bad)
            if good:
                tables.append(_chunk_to_table(schema, good))
    return (pa.concat_tables(tables) if tables else schema.empty_table()), rejected


def _chunk_to_table(schema: pa.Schema, rows: Sequence[Row]) -> pa.Table:
    if any(len(row) != len(schema) for row in rows):
        raise ValueError(f"rows must have {len(schema)} columns")
    timestamps = set(timestamp_columns(schema))
    arrays = [
        _timestamps(values, f.type) if f.name in timestamps
        else _strings(values) if pa.types.is_string(f.type)
        else pa.array(values, f.type)
        for f, values in zip(schema, _columns(rows, len(schema)), strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _strings(values: list[object]) -> pa.Array:
    """Strings as they are; other JSON values (dict, list, number, bool) as compact JSON text."""
    try:
        return pa.array(values, pa.string())  # the usual case; fails fast on the first non-str
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([_json_text(v) for v in values], pa.string())


def _json_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _columns(rows: Sequence[Row], width: int) -> list[list[object]]:
    """Transpose with C-level itemgetters: faster than ``zip(*rows)``, whose temporary iterator
    per row keeps triggering the garbage collector."""
    return [list(map(itemgetter(i), rows)) for i in range(width)]


def _timestamps(seconds: Sequence[object], type_: pa.DataType) -> pa.Array:
    """Float epoch seconds to µs: round, not truncate (float seconds are not exact in binary)."""
    floats = pa.array(seconds, pa.float64())
    return pc.round(pc.multiply(floats, 1e6)).cast(pa.int64()).cast(type_)


def _isolate(schema: pa.Schema, rows: Sequence[Row]) -> tuple[list[Row], list[Rejected]]:
    """Slow path, only after a failed chunk: find the offending rows one by one."""
    good: list[Row] = []
    bad: list[Rejected] = []
    for row in rows:
        try:
            _chunk_to_table(schema, [row])
        except _DATA_ERRORS as exc:
            bad.append((row, f"{type(exc).__name__}: {exc}"))
        else:
            good.append(row)
    return good, bad


def split_by_date(table: pa.Table, column: str, null_date: dt.date) -> dict[str, pa.Table]:
    """Sub-tables by the UTC date (``YYYY-MM-DD``) of ``column``; nulls go to ``null_date``."""
    dates = pc.fill_null(pc.cast(table.column(column), pa.date32()), pa.scalar(null_date))
    unique = pc.unique(dates)
    if len(unique) == 1:  # the usual case: no filtering, no copy
        return {unique[0].as_py().isoformat(): table}
    return {day.as_py().isoformat(): table.filter(pc.equal(dates, day)) for day in unique}
