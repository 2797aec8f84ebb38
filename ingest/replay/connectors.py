"""``--connectors``: how many connectors each station has, so overlapping sessions on one
station are put on real connectors, never invented ones. A number (every station), or a CSV file
with columns ``station`` and ``connectors`` (stations it does not name have one)."""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.replay.errors import ReplayInputError
from ingest.replay.row_checks import ConnectorCounts
from ingest.replay.session import station_id

MAX_CONNECTORS = 64  # more on one station id is a typo, not a charger


def connector_counts(value: str | None) -> ConnectorCounts:
    if value is None:
        return ConnectorCounts()
    text = value.strip()
    if text.isdigit():
        return ConnectorCounts(_count(int(text), Path("--connectors"), "value"), declared=True)
    path = Path(text)
    if not path.is_file():
        raise ReplayInputError(path, "--connectors", "neither a number nor a file",
                               "Give a count (e.g. --connectors 2) or a CSV with columns "
                               "station, connectors")
    return ConnectorCounts(1, _read(path), declared=True)


def _read(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f)
        if not rows.fieldnames or not {"station", "connectors"} <= set(rows.fieldnames):
            raise ReplayInputError(path, "header", "no columns station, connectors",
                                   "The first line must be: station,connectors")
        out: dict[str, int] = {}
        for row in rows:
            where = f"line {rows.line_num}"
            text = (row.get("connectors") or "").strip()
            if not text.isdigit():
                raise ReplayInputError(path, where, f"connectors {text!r} is not a whole number",
                                       "Give a count such as 2")
            out[station_id(row.get("station") or "")] = _count(int(text), path, where)
        return out


def _count(n: int, path: Path, where: str) -> int:
    if not 1 <= n <= MAX_CONNECTORS:
        raise ReplayInputError(path, where, f"{n} connectors",
                               f"Give between 1 and {MAX_CONNECTORS}")
    return n
