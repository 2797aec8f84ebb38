"""Exclusion windows: outage time outside the operator's control (NEVI 23 CFR 680.116(b)).

The operator maintains them in ``<data>/config/exclusion_windows.csv`` (``cpo exclusions add``,
``list``, ``remove`` or by hand). One row per window, times in UTC ISO 8601::

    window_id,scope,target,start_at,end_at,cause,note,added_by,added_at
    EW-0001,site,S01,2026-01-10T08:00:00Z,2026-01-10T12:00:00Z,scheduled_maintenance,,ops,...

``scope`` is ``network`` (``target`` empty: every port), ``site`` (a site id), ``charger`` (a
charge point id) or ``port`` (``<charge_point_id>/<port_no>``). An outage minute of a port is
excluded when a window of its network, site, charger or port covers it. Loading checks every
row and names the row and field of the first mistake (:class:`ConfigFileError`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.errors import ConfigFileError, PipelineError
from pipelines.warehouse.layout import Layout

FILE_NAME = "exclusion_windows.csv"
COLUMNS = (
    "window_id", "scope", "target", "start_at", "end_at", "cause", "note", "added_by", "added_at",
)  # fmt: skip
SCOPES = ("network", "site", "charger", "port")
CAUSES = (
    "utility_outage",
    "vehicle_fault",
    "scheduled_maintenance",
    "vandalism",
    "natural_disaster",
    "outside_opening_hours",
)
SCHEMA = pa.schema(
    [
        ("window_id", pa.string()),
        ("scope", pa.string()),
        ("target", pa.string()),
        ("start_at", pa.timestamp("us", tz="UTC")),
        ("end_at", pa.timestamp("us", tz="UTC")),
        ("cause", pa.string()),
        ("note", pa.string()),
        ("added_by", pa.string()),
        ("added_at", pa.timestamp("us", tz="UTC")),
    ]
)
_PORT = re.compile(r"^.+/[0-9]+$")
_ID = re.compile(r"^EW-(\d+)$")


class UnknownWindowError(PipelineError):
    """``cpo exclusions remove`` named a window that is not in the file."""


@dataclass(frozen=True)
class ExclusionWindow:
    window_id: str
    scope: str
    target: str
    start_at: datetime
    end_at: datetime
    cause: str
    note: str = ""
    added_by: str = ""
    added_at: datetime | None = None

    def row(self) -> dict[str, str]:
        return {
            "window_id": self.window_id,
            "scope": self.scope,
            "target": self.target,
            "start_at": format_time(self.start_at),
            "end_at": format_time(self.end_at),
            "cause": self.cause,
            "note": self.note,
            "added_by": self.added_by,
            "added_at": format_time(self.added_at) if self.added_at else "",
        }


def csv_path(data_dir: Path) -> Path:
    """Where a data folder keeps its exclusion windows."""
    return Layout(data_dir).config / FILE_NAME


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``Z``/offset, or none meaning UTC; a bare date is its midnight UTC)."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def load(path: Path) -> list[ExclusionWindow]:
    """Every window in ``path`` (none if the file does not exist), checked."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header and c not in ("note", "added_by", "added_at")]
    if missing:
        raise ConfigFileError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must be "
            f"{','.join(COLUMNS)}"
        )
    windows: list[ExclusionWindow] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        window = _window(path, number, row)
        if window.window_id in seen:
            raise ConfigFileError(
                f"{path} row {number}: window_id {window.window_id!r} is used twice; "
                "give each window its own id"
            )
        seen.add(window.window_id)
        windows.append(window)
    return windows


def _window(path: Path, number: int, row: dict[str, str]) -> ExclusionWindow:
    where = f"{path} row {number}, field "
    window_id = row.get("window_id", "")
    if not window_id:
        raise ConfigFileError(f"{where}window_id: empty; give the window an id such as EW-0001")
    added = row.get("added_at", "")
    return check(
        ExclusionWindow(
            window_id=window_id,
            scope=row.get("scope", "").lower(),
            target=row.get("target", ""),
            start_at=_time(row.get("start_at", ""), where + "start_at"),
            end_at=_time(row.get("end_at", ""), where + "end_at"),
            cause=row.get("cause", "").lower(),
            note=row.get("note", ""),
            added_by=row.get("added_by", ""),
            added_at=_time(added, where + "added_at") if added else None,
        ),
        where,
    )


def _time(text: str, where: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError:
        raise ConfigFileError(
            f"{where}: {text!r} is not a time; use UTC ISO 8601 like 2026-01-10T08:00:00Z"
        ) from None


def check(window: ExclusionWindow, where: str = "") -> ExclusionWindow:
    """``window`` if its scope, target, cause and times make sense, else ConfigFileError."""

    def bad(field: str, problem: str) -> ConfigFileError:
        return ConfigFileError(f"{where}{field}: {problem}")

    if window.scope not in SCOPES:
        raise bad("scope", f"{window.scope!r} is not one of {', '.join(SCOPES)}")
    if window.scope == "network" and window.target:
        raise bad("target", "must be empty for scope network (it covers every port)")
    if window.scope != "network" and not window.target:
        raise bad("target", f"empty; scope {window.scope} needs the {window.scope} id")
    if window.scope == "port" and not _PORT.match(window.target):
        raise bad("target", f"{window.target!r} is not a port id <charge_point_id>/<port_no>")
    if window.cause not in CAUSES:
        raise bad("cause", f"{window.cause!r} is not one of {', '.join(CAUSES)}")
    if window.end_at <= window.start_at:
        raise bad("end_at", "must be after start_at")
    return window


def save(path: Path, windows: Sequence[ExclusionWindow]) -> None:
    """Write ``windows`` to ``path`` atomically (readers see the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for window in windows:
            writer.writerow(window.row())
    os.replace(temp, path)


def next_id(windows: Sequence[ExclusionWindow]) -> str:
    numbers = [int(m.group(1)) for w in windows if (m := _ID.match(w.window_id))]
    return f"EW-{max(numbers, default=0) + 1:04d}"


def add(path: Path, window: ExclusionWindow) -> ExclusionWindow:
    """Append ``window`` (its id is assigned when empty); returns it as saved."""
    windows = load(path)
    if not window.window_id:
        window = replace(window, window_id=next_id(windows))
    if window.added_at is None:
        window = replace(window, added_at=datetime.now(UTC))
    check(window)
    if any(w.window_id == window.window_id for w in windows):
        raise ConfigFileError(f"{path}: window_id {window.window_id!r} already exists")
    save(path, [*windows, window])
    return window


def remove(path: Path, window_id: str) -> ExclusionWindow:
    """Delete the window ``window_id``; returns it."""
    windows = load(path)
    kept = [w for w in windows if w.window_id != window_id]
    if len(kept) == len(windows):
        raise UnknownWindowError(
            f"no exclusion window {window_id!r} in {path}; `cpo exclusions list` shows the ids"
        )
    save(path, kept)
    return next(w for w in windows if w.window_id == window_id)


def to_arrow(windows: Sequence[ExclusionWindow]) -> pa.Table:
    rows = [
        (
            w.window_id,
            w.scope,
            w.target or None,
            w.start_at,
            w.end_at,
            w.cause,
            w.note or None,
            w.added_by or None,
            w.added_at,
        )
        for w in windows
    ]
    columns: list[Sequence[object]] = (
        list(zip(*rows, strict=True)) if rows else [[] for _ in SCHEMA]
    )
    return pa.table([pa.array(c, f.type) for c, f in zip(columns, SCHEMA, strict=True)], SCHEMA)


def create_table(conn: duckdb.DuckDBPyConnection, windows: Sequence[ExclusionWindow]) -> int:
    """(Re)create the warehouse table ``exclusion_windows``; returns its row count."""
    conn.register("_exclusion_windows_rows", to_arrow(windows))
    try:
        conn.execute(
            "CREATE OR REPLACE TABLE exclusion_windows AS SELECT * FROM _exclusion_windows_rows"
        )
    finally:
        conn.unregister("_exclusion_windows_rows")
    return len(windows)
