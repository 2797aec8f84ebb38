"""Score the latest complete hour of every charger: probability of a fault within H hours, and
why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
        "model_source": pl.String(),  # own (trained on this data folder) or default (shipped)
        # models.fault.routing: reset or technician, when the model has a router (else null)
        "route": pl.String(),
        "fault_type": pl.String(),
        "type_probability": pl.Float64(),
        "technician_probability": pl.Float64(),
        "suggested_parts": pl.String(),  # JSON list
        "routing_features": pl.String(),  # JSON, as top_features
    }
)


def score_latest(
    data_dir: Path, marts: Path, hours: int = 1, until: datetime | None = None
) -> pl.DataFrame:
    """Predictions for each charger's last ``hours`` complete feature rows, with the top 3 reasons.

    Complete: ``feature_at <= until``. By default ``until`` is the start of the build's last hour,
    which was still running when the features were built (the spine runs to ``as_of``'s hour):
    its counts are partial, and the model learned on whole hours only.

    The model is the data folder's own newest, else the shipped default (``store.load_current``).
    """
    fitted, card, folder = store.load_current(data_dir)
    features = pl.read_parquet(marts / "failure_features.parquet")
    if features.height == 0:
        return pl.DataFrame(schema=PREDICTIONS_SCHEMA)
    last: datetime = features["feature_at"].max()  # type: ignore[assignment]
    cut = until if until is not None else last - timedelta(hours=1)
    complete = features.filter(pl.col("feature_at") <= cut)
    latest = complete.filter(
        pl.col("feature_at")
        >= pl.col("feature_at").max().over("charge_point_id") - pl.duration(hours=hours - 1)
    )
    if latest.height == 0:
        return pl.DataFrame(schema=PREDICTIONS_SCHEMA)
    frame = dataset.to_frame(latest, None, fitted.categories)
    x = _align(frame.x, frame.columns, fitted.columns)
    p = fitted.predict_proba(x)[:, 1]
    reasons = fitted.explainer.top(x)
    routed = _routes(fitted, frame.keys["charge_point_id"].to_list(), x)
    return pl.DataFrame(
        {
            "charge_point_id": frame.keys["charge_point_id"],
            "scored_at": [datetime.now(UTC)] * len(p),
            "feature_at": frame.keys["feature_at"],
            "probability": p,
            "alert": p >= fitted.threshold,
            "horizon_h": [fitted.horizon_h] * len(p),
            "top_features": [json.dumps(r) for r in reasons],
            "model_version": [store.version_of(card, folder)] * len(p),
            "model_source": [card["source"]] * len(p),
            **routed,
        },
        schema=PREDICTIONS_SCHEMA,
    )


def _routes(fitted: Any, ids: list[str], x: np.ndarray) -> dict[str, list[Any]]:
    router = getattr(fitted, "router", None)  # a model pickled before routing has none
    rows = router.route_rows(ids, x) if router is not None else [None] * len(ids)
    return {
        "route": [r.route if r else None for r in rows],
        "fault_type": [r.fault_type if r else None for r in rows],
        "type_probability": [r.probability if r else None for r in rows],
        "technician_probability": [r.technician_probability if r else None for r in rows],
        "suggested_parts": [json.dumps(list(r.suggested_parts)) if r else None for r in rows],
        "routing_features": [json.dumps(r.top_features) if r else None for r in rows],
    }


def _align(x: np.ndarray, have: list[str], want: list[str]) -> np.ndarray:
    """Columns in the trained order; a feature the build no longer has is missing (NaN)."""
    index = {c: i for i, c in enumerate(have)}
    out = np.full((x.shape[0], len(want)), np.nan)
    for j, c in enumerate(want):
        if c in index:
            out[:, j] = x[:, index[c]]
    return out
