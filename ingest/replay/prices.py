"""The file's own amount per replayed session (``cpo replay --price-col``), beside the lake.

OCPP 1.6 has no price field, so the replay keeps a side table, one Parquet file per replay node
(``DataFolder.replay_prices``), keyed by ``(charge_point_id, transaction_id)``: the station and
the id the CSMS handed out for that session's StartTransaction, which is exactly the key of the
warehouse's ``sessions`` mart (``session_id`` = ``charge_point_id:transaction_id``). It is
written in the replay's staging folder and lands with the lake files (``workbench.runs.
replay_landing``), so a failed replay leaves no prices behind.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.replay.session import ReplaySession

SCHEMA = pa.schema(
    [
        ("charge_point_id", pa.string()),
        ("transaction_id", pa.string()),  # as the lake's StartTransaction result carries it
        ("amount", pa.float64()),
        ("currency", pa.string()),  # ISO 4217
        ("origin", pa.string()),  # the session's place in the file ("line 12")
        ("node_id", pa.string()),  # the replay's CSMS node
    ]
)


@dataclass(frozen=True)
class PriceTotal:
    sessions: int
    amount: float
    currency: str


def table(sessions: Sequence[ReplaySession], transactions: Mapping[int, int], currency: str,
          node_id: str) -> pa.Table:
    """One row per replayed session that has an amount (``transactions``: index -> id)."""
    rows = [
        {"charge_point_id": s.station, "transaction_id": str(transactions[i]),
         "amount": s.amount, "currency": currency, "origin": s.where, "node_id": node_id}
        for i, s in enumerate(sessions) if s.amount is not None and i in transactions
    ]
    return pa.Table.from_pylist(rows, SCHEMA)


def write(folder: Path, node_id: str, prices: pa.Table) -> Path:
    """``folder/<node_id>.parquet``, renamed into place whole."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{node_id}.parquet"
    temp = folder / f".{node_id}.parquet.tmp"
    pq.write_table(prices, temp)
    os.replace(temp, target)
    return target


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def land(staged: Path, folder: Path) -> int:
    """Move the staged replay's price files into ``folder`` (atomic renames)."""
    moved = files(staged)
    for f in moved:
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(f, folder / f.name)
    return len(moved)


def clear(folder: Path) -> None:
    for f in files(folder):
        f.unlink()


def totals(folder: Path, node_ids: Sequence[str]) -> list[PriceTotal]:
    """Sessions and amount per currency in the landed side table, for these replay nodes."""
    found = files(folder)
    if not found:
        return []
    data = pa.concat_tables([pq.read_table(f, schema=SCHEMA) for f in found]).to_pylist()
    acc: dict[str, list[float]] = {}
    for row in data:
        if row["node_id"] in node_ids:
            acc.setdefault(row["currency"], []).append(row["amount"])
    # fsum: exact to the last bit whatever the row order, so file and table compare cleanly
    return [PriceTotal(len(a), math.fsum(a), cur) for cur, a in sorted(acc.items())]
