"""The station facts EV-ChART needs that the lake does not have, kept by the operator.

``<data>/config/evchart_costs.csv`` (``cpo export evchart-costs set/list/remove``, or by hand):
one row per EV-ChART station (a site id; a charger without a site is its own station) with its
module 9 capital and installation costs and, optionally, ``operational_date`` (the date the
station was registered as operational in EV-ChART; default: its first frame on this network),
which decides whether module 3 must report its uptime. Values are checked against the module 9
rules when set and when loaded; a bare date is stored as its midnight UTC, ``yes``/``no`` as
``TRUE``/``FALSE``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pipelines.errors import ConfigFileError, PipelineError
from pipelines.exports.evchart_rules import MODULE_9, STATION, Field
from pipelines.exports.evchart_validate import check_value, validate_rows
from pipelines.warehouse.layout import Layout

FILE_NAME = "evchart_costs.csv"
COST_FIELDS = tuple(f for f in MODULE_9.fields if f not in STATION)
COLUMNS = ("station_id", "operational_date", *(f.name for f in COST_FIELDS))
_BY_NAME = {f.name: f for f in COST_FIELDS}
_TRUE, _FALSE = ("true", "yes", "y", "1"), ("false", "no", "n", "0")

Costs = dict[str, str]  # column -> value ("" when not set)


class CostValueError(PipelineError):
    """A station cost the operator gave breaks the module 9 rules or names no field."""


class UnknownStationError(PipelineError):
    """``cpo export evchart-costs remove`` named a station that is not in the table."""


def csv_path(data_dir: Path) -> Path:
    return Layout(data_dir).config / FILE_NAME


def normalise(column: str, text: str) -> str:
    """``text`` as stored for ``column``; CostValueError says what is wrong with it."""
    value = text.strip()
    if not value:
        return ""
    if column == "station_id":
        problem = check_value(STATION[0], value)
    elif column == "operational_date":
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            raise CostValueError(f"operational_date: {value!r} is not a date YYYY-MM-DD") from None
    elif column in _BY_NAME:
        value = _plain(_BY_NAME[column], value)
        problem = check_value(_BY_NAME[column], value)
    else:
        raise CostValueError(f"{column}: not a field; the fields are {', '.join(COLUMNS[1:])}")
    if problem:
        raise CostValueError(f"{column}: {problem}")
    return value


def _plain(field: Field, value: str) -> str:
    if field.kind == "boolean":
        low = value.lower()
        return "TRUE" if low in _TRUE else "FALSE" if low in _FALSE else value
    if field.kind == "datetime" and len(value) == 10:
        return f"{value}T00:00:00Z"
    if field.kind == "decimal":
        return value.replace(",", "").lstrip("$")
    return value


def load(path: Path) -> dict[str, Costs]:
    """Every station's row (none if the file does not exist), checked; by station id."""
    if not path.exists():
        return {}
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "station_id" not in header:
        raise ConfigFileError(f"{path}: no station_id column; the header is {','.join(COLUMNS)}")
    table: dict[str, Costs] = {}
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items() if k is not None}
        if not any(v.strip() for v in row.values()):
            continue
        try:
            costs = {c: normalise(c, row.get(c, "")) for c in row}
        except CostValueError as exc:
            raise ConfigFileError(f"{path} row {number}: {exc}") from None
        station = costs.get("station_id", "")
        if not station or station in table:
            problem = "station_id is empty" if not station else f"station {station!r} twice"
            raise ConfigFileError(f"{path} row {number}: {problem}; one row per station")
        table[station] = {c: costs.get(c, "") for c in COLUMNS}
    return table


def save(path: Path, table: Mapping[str, Costs]) -> None:
    """Write ``table`` atomically (readers see the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for station in sorted(table):
            writer.writerow(table[station])
    os.replace(temp, path)


def set_values(path: Path, station_id: str, updates: Mapping[str, str]) -> Costs:
    """Set (or, with an empty value, clear) fields of a station's row; the row as saved."""
    station = normalise("station_id", station_id)
    if not station:
        raise CostValueError("station_id: empty; name the station (its site id)")
    table = load(path)
    row = table.get(station) or {c: "" for c in COLUMNS}
    for column, text in updates.items():
        if column == "station_id":
            raise CostValueError("station_id: give it as the argument, not as a field")
        row[column] = normalise(column, text)
    row["station_id"] = station
    table[station] = row
    save(path, table)
    return row


def remove(path: Path, station_id: str) -> Costs:
    table = load(path)
    if station_id not in table:
        raise UnknownStationError(
            f"no station {station_id!r} in {path}; `cpo export evchart-costs list` shows them"
        )
    row = table.pop(station_id)
    save(path, table)
    return row


def operational_dates(table: Mapping[str, Costs]) -> dict[str, date]:
    """The operational dates the operator set, by station."""
    return {
        s: date.fromisoformat(row["operational_date"])
        for s, row in table.items()
        if row.get("operational_date")
    }


def has_costs(row: Mapping[str, str]) -> bool:
    return any(row.get(f.name) for f in COST_FIELDS)


def missing(row: Mapping[str, str]) -> list[str]:
    """The module 9 fields the station still needs before its costs can be exported."""
    values = {"station_id": row.get("station_id", ""), "network_provider": "-"}
    values |= {f.name: row.get(f.name, "") for f in COST_FIELDS}
    found = validate_rows(MODULE_9, list(values), [values])
    return [v.field for v in found]
