"""The training frame: failure features joined with their labels, from the warehouse's marts.

Rows are charger-hours (``feature_at`` = the end of the hour; features use only data before it).
Kept: rows whose label is final, and whose charger is not already in a fault at ``feature_at``
(predicting the onset of a fault that is already on is not the question).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from models.errors import NotEnoughDataError

ID_COLUMNS = ("charge_point_id", "hour", "feature_at")
CATEGORICAL = ("vendor", "model", "kind")
NOT_FEATURES = {*ID_COLUMNS, *CATEGORICAL}


@dataclass(frozen=True)
class Frame:
    """Feature matrix ``x`` (float, NaN = missing), labels ``y``, and per-row keys."""

    x: np.ndarray
    y: np.ndarray
    columns: list[str]
    keys: pl.DataFrame  # charge_point_id, feature_at, next_fault_start_at, day

    def rows(self, mask: np.ndarray) -> Frame:
        return Frame(self.x[mask], self.y[mask], self.columns, self.keys.filter(pl.Series(mask)))


def label_column(horizon_h: int) -> str:
    return {6: "fault_within_6h", 48: "fault_within_48h"}.get(horizon_h, "fault_within_h")


def load(marts: Path, horizon_h: int = 24, categories: dict[str, list[str]] | None = None) -> Frame:
    """Features + labels for ``horizon_h`` (6, 24 or 48; 24 is the build's default H)."""
    features = _read(marts, "failure_features")
    labels = _read(marts, "failure_labels").select(
        "charge_point_id", "feature_at", "next_fault_start_at", label_column(horizon_h)
    )
    faults = _read(marts, "faults").select("charge_point_id", "start_at", "end_at")
    joined = features.join(labels, on=["charge_point_id", "feature_at"], how="inner")
    joined = joined.filter(pl.col(label_column(horizon_h)).is_not_null())
    # one order whatever order the build wrote the rows in: training subsamples by position
    joined = drop_in_fault(joined, faults).sort("charge_point_id", "feature_at")
    if joined.height == 0:
        raise NotEnoughDataError(
            f"no labelled charger-hours in {marts}: run `cpo pipelines run` on a lake with data"
        )
    return to_frame(joined, label_column(horizon_h), categories)


def to_frame(
    df: pl.DataFrame, label: str | None, categories: dict[str, list[str]] | None = None
) -> Frame:
    """Numeric features as floats; categoricals as their index in ``categories`` (from training)."""
    numeric = [c for c, t in df.schema.items() if c not in NOT_FEATURES and t.is_numeric()]
    numeric = [
        c for c in numeric if not c.startswith("fault_within") and c != "hours_to_next_fault"
    ]
    cats = categories or {c: sorted(df[c].drop_nulls().unique().to_list()) for c in CATEGORICAL}
    coded = [
        pl.col(c).replace_strict(values, list(range(len(values))), default=None).alias(f"{c}_code")
        for c, values in cats.items()
    ]
    x_df = df.select([pl.col(c).cast(pl.Float64) for c in numeric] + coded)
    x = x_df.cast(pl.Float64).to_numpy()
    y = df[label].cast(pl.Int8).to_numpy() if label else np.zeros(df.height, dtype=np.int8)
    keys = df.select(
        "charge_point_id",
        "feature_at",
        *(["next_fault_start_at"] if "next_fault_start_at" in df.columns else []),
        pl.col("feature_at").dt.date().alias("day"),
    )
    return Frame(x, y, list(x_df.columns), keys)


def categories_of(marts: Path) -> dict[str, list[str]]:
    df = _read(marts, "failure_features")
    return {c: sorted(df[c].drop_nulls().unique().to_list()) for c in CATEGORICAL}


def drop_in_fault(df: pl.DataFrame, faults: pl.DataFrame) -> pl.DataFrame:
    """The rows whose charger is not in a fault at ``feature_at`` (``faults``: the mart's
    charge_point_id, start_at, end_at)."""
    if faults.height == 0:
        return df
    inside = (
        df.select("charge_point_id", "feature_at")
        .join(faults, on="charge_point_id", how="inner")
        .filter(
            (pl.col("start_at") <= pl.col("feature_at"))
            & (pl.col("end_at").is_null() | (pl.col("end_at") > pl.col("feature_at")))
        )
        .select("charge_point_id", "feature_at")
        .unique()
    )
    return df.join(inside, on=["charge_point_id", "feature_at"], how="anti")


def _read(marts: Path, table: str) -> pl.DataFrame:
    path = marts / f"{table}.parquet"
    if not path.exists():
        raise NotEnoughDataError(
            f"{path} is missing: build the warehouse first (`cpo pipelines run --data-dir ...`)"
        )
    return pl.read_parquet(path)
