"""Check EV-ChART module CSVs against the Joint Office's rules (:mod:`evchart_rules`).

The checks follow the EV-ChART validator's ``module_validation``: a blank cell is only a problem
for a required field; strings within ``max_length`` and not only whitespace; datetimes
``YYYY-MM-DDTHH:MM:SS[.f][Z]``; decimals with at most ``precision - scale`` integer digits and
``scale`` decimals, at least ``min_value``; integers within their bounds; booleans ``TRUE`` /
``FALSE``. Row rules: ``blank_together`` fields may be blank only all together, and module 3's
``uptime`` is required when the station was operational over a year before the period starts.
Every problem is one :class:`Violation`, printed as one line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pipelines.exports.evchart_rules import BY_FILE, Field, Module

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Violation:
    file: str
    row: int  # the CSV line: 1 is the header, 2 the first data row
    field: str
    problem: str

    def __str__(self) -> str:
        where = "header" if self.row == 1 else f"row {self.row}"
        return f"{self.file} {where} {self.field}: {self.problem}"


def check_value(field: Field, value: str) -> str | None:
    """What is wrong with a non-blank ``value`` for ``field``, or None."""
    if field.kind == "string":
        if field.max_length is not None and len(value) > field.max_length:
            return f"{len(value)} characters, at most {field.max_length}"
        if value.isspace():
            return "only whitespace"
        return None
    if field.kind == "datetime":
        return _datetime_problem(value)
    if field.kind == "boolean":
        return None if value.upper() in ("TRUE", "FALSE") else f"{value!r} is not TRUE or FALSE"
    if field.kind == "integer":
        if not _INTEGER.match(value):
            return f"{value!r} is not an integer"
        return _range_problem(field, Decimal(value))
    return _decimal_problem(field, value)


def _datetime_problem(value: str) -> str | None:
    bad = f"{value!r} is not a datetime YYYY-MM-DDTHH:MM:SSZ"
    if not _DATETIME.match(value):
        return bad
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return bad
    return None


def _decimal_problem(field: Field, value: str) -> str | None:
    if not _DECIMAL.match(value):
        return f"{value!r} is not a decimal number"
    whole, _, fraction = value.lstrip("+-").partition(".")
    scale = field.scale or 0
    if field.precision is not None and len(whole) > field.precision - scale:
        return (
            f"{value} has {len(whole)} integer digits, at most {field.precision - scale} "
            f"(decimal({field.precision},{scale}))"
        )
    if len(fraction) > scale:
        return f"{value} has {len(fraction)} decimals, at most {scale}"
    return _range_problem(field, Decimal(value))


def _range_problem(field: Field, number: Decimal) -> str | None:
    if field.min_value is not None and number < field.min_value:
        return f"{number} is below the minimum {field.min_value}"
    if field.max_value is not None and number > field.max_value:
        return f"{number} is above the maximum {field.max_value}"
    return None


def validate_rows(
    module: Module,
    header: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    operational: Mapping[str, date] | None = None,
) -> list[Violation]:
    """Every rule ``rows`` (CSV dicts under ``header``) break. ``operational``: each station's
    operational date (a station missing from it counts as operational over a year)."""
    name = module.file_name
    found: list[Violation] = []
    known = set(module.columns)
    for column in header:
        if column not in known:
            found.append(Violation(name, 1, column, f"not a module {module.number} field"))
    for field in module.fields:
        if field.name not in header and field.required:
            found.append(Violation(name, 1, field.name, "required column missing"))
    fields = [f for f in module.fields if f.name in header]
    for line, row in enumerate(rows, start=2):
        found.extend(_row_problems(module, fields, line, row, operational or {}))
    return found


def _row_problems(
    module: Module,
    fields: Sequence[Field],
    line: int,
    row: Mapping[str, str],
    operational: Mapping[str, date],
) -> list[Violation]:
    values = {f.name: (row.get(f.name) or "") for f in fields}
    if not any(values.values()):
        return []  # blank lines are dropped by the validator
    group_blank = bool(module.blank_together) and all(
        not values.get(n, "") for n in module.blank_together
    )
    found: list[Violation] = []
    for field in fields:
        value = values[field.name]
        if value:
            problem = check_value(field, value)
            if problem:
                found.append(Violation(module.file_name, line, field.name, problem))
        elif _needed(module, field, row, operational) and not (
            group_blank and field.name in module.blank_together
        ):
            found.append(Violation(module.file_name, line, field.name, "required, but blank"))
    return found


def _needed(
    module: Module, field: Field, row: Mapping[str, str], operational: Mapping[str, date]
) -> bool:
    if field.required:
        return True
    if field.name not in module.required_after_a_year:
        return False
    since = operational.get(row.get("station_id") or "")
    start = _date(row.get("uptime_reporting_start") or "")
    if since is None or start is None:
        return True
    return since < _one_year_before(start)


def _date(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February -> 28 February (dateutil's relativedelta does the same)
        return day.replace(year=day.year - 1, day=28)


def validate_file(
    path: Path, module: Module | None = None, operational: Mapping[str, date] | None = None
) -> list[Violation]:
    """Check one module CSV (the module from its file name unless given)."""
    module = module or BY_FILE[path.name]
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        return validate_rows(module, header, reader, operational)


def validate_folder(folder: Path, operational: Mapping[str, date] | None = None) -> list[Violation]:
    """Check every EV-ChART module CSV in ``folder`` (by file name)."""
    found: list[Violation] = []
    for name, module in BY_FILE.items():
        if (folder / name).exists():
            found.extend(validate_file(folder / name, module, operational))
    return found


def summary(violations: Sequence[Violation], shown: int = 5) -> str:
    """One line: how many rules were broken and the first few."""
    head = "; ".join(str(v) for v in violations[:shown])
    more = f"; and {len(violations) - shown} more" if len(violations) > shown else ""
    return f"{len(violations)} EV-ChART rule violation(s): {head}{more}"
