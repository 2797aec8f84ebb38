"""Score the latest hour of every charger: probability of a fault within H hours, and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from models.fault import dataset, store

PREDICTIONS_SCHEMA = pl.Schema(
    {
        "charge_point_id": pl.String(),
        "scored_at": pl.Datetime("us", "UTC"),
        "feature_at": pl.Datetime("us", "UTC"),
        "probability": pl.Float64(),
        "alert": pl.Boolean(),
        "horizon_h": pl.Int32(),
        "top_features": pl.String(),
        "model_version": pl.String(),
    }
)


def score_latest(data_dir: Path, marts: Path, hours: int = 1) -> pl.DataFrame:
    """Predictions for each charger's last ``hours`` feature rows, with the top 3 reasons."""
    fitted, _card, folder = store.load_latest(data_dir)
    features = pl.read_parquet(marts / "failure_features.parquet")
    if features.height == 0:
        return pl.DataFrame(schema=PREDICTIONS_SCHEMA)
    latest = features.filter(
        pl.col("feature_at")
        >= pl.col("feature_at").max().over("charge_point_id") - pl.duration(hours=hours - 1)
    )
    frame = dataset.to_frame(latest, None, fitted.categories)
    x = _align(frame.x, frame.columns, fitted.columns)
    p = fitted.predict_proba(x)[:, 1]
    reasons = fitted.explainer.top(x)
    return pl.DataFrame(
        {
            "charge_point_id": frame.keys["charge_point_id"],
            "scored_at": [datetime.now(UTC)] * len(p),
            "feature_at": frame.keys["feature_at"],
            "probability": p,
            "alert": p >= fitted.threshold,
            "horizon_h": [fitted.horizon_h] * len(p),
            "top_features": [json.dumps(r) for r in reasons],
            "model_version": [folder.name] * len(p),
        },
        schema=PREDICTIONS_SCHEMA,
    )


def _align(x: np.ndarray, have: list[str], want: list[str]) -> np.ndarray:
    """Columns in the trained order; a feature the build no longer has is missing (NaN)."""
    index = {c: i for i, c in enumerate(have)}
    out = np.full((x.shape[0], len(want)), np.nan)
    for j, c in enumerate(want):
        if c in index:
            out[:, j] = x[:, index[c]]
    return out
