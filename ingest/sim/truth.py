"""Ground truth of what the simulator did (faults, near misses, turned-away drivers, sessions
cut by resets), kept apart from the lake: it is for evaluating models, never for training."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class TruthRow:
    kind: str  # fault, near_miss, averted, turned_away, failed_start, session_interrupted
    charge_point_id: str | None
    site_id: str
    connector_id: int | None
    fault_type: str | None
    curable: bool | None
    precursor_start: float | None
    start: float
    end: float | None
    ended_by: str | None  # reset, self_cleared, technician, end_of_simulation
    detail: str | None = None


class TruthLog:
    def __init__(self) -> None:
        self.rows: list[TruthRow] = []

    def add(self, row: TruthRow) -> None:
        self.rows.append(row)

    def add_turned_away(self, site_id: str, port_kind: str, at: float) -> None:
        self.add(TruthRow("turned_away", None, site_id, None, None, None, None, at, at, None,
                          f"no free {port_kind} port"))

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = pl.DataFrame([asdict(r) for r in self.rows], schema=SCHEMA, orient="row")
        frame = frame.with_columns(
            (pl.col(c) * 1e6).round().cast(pl.Int64).cast(pl.Datetime("us", "UTC"))
            for c in ("precursor_start", "start", "end"))
        frame.sort("start", "charge_point_id", "kind").write_parquet(path)
        return path


SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "kind": pl.String, "charge_point_id": pl.String, "site_id": pl.String,
    "connector_id": pl.Int32, "fault_type": pl.String, "curable": pl.Boolean,
    "precursor_start": pl.Float64, "start": pl.Float64, "end": pl.Float64,
    "ended_by": pl.String, "detail": pl.String,
}
