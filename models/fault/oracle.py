"""The phase oracle: a score that peeks at the simulator's truth, for the model to be measured
against on the same rows (evaluation only; ``bench/bench_fault_ceiling.py`` shows it bounds
what any feature built from the lake can reach).

The oracle's score of an hour is how far into a precursor window (a fault's or a near miss's)
it is, 0..1; 0 outside every window. Hourly labels at 24, 48 and 72 h come from each row's next
fault onset in the ``faults`` mart, the model's own label; a row whose horizon runs past the
last hour seen, with no onset yet, is left out (its label is not known).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from models.fault import metrics

HORIZONS_H = (24, 48, 72)


def phase(keys: pl.DataFrame, windows: pl.DataFrame) -> np.ndarray:
    """Per row of ``keys`` (charge_point_id, feature_at): the deepest phase of any window
    (charge_point_id, precursor_start, start_at) it falls in."""
    rows = keys.select("charge_point_id", "feature_at").with_row_index("_row")
    inside = (pl.col("feature_at") >= pl.col("precursor_start")) & (
        pl.col("feature_at") < pl.col("start_at")
    )
    span = (pl.col("start_at") - pl.col("precursor_start")).dt.total_seconds()
    depth = (pl.col("feature_at") - pl.col("precursor_start")).dt.total_seconds() / span
    hits = (
        rows.join(windows, on="charge_point_id", how="inner")
        .filter(inside & (span > 0))
        .group_by("_row")
        .agg(depth.max().alias("phase"))
    )
    out = np.zeros(keys.height)
    out[hits["_row"].to_numpy()] = hits["phase"].to_numpy()
    return out


def labels_at(keys: pl.DataFrame, horizon_h: int) -> tuple[np.ndarray, np.ndarray]:
    """``(y, known)``: an onset within ``horizon_h`` of feature_at, and whether that is known."""
    horizon = timedelta(hours=horizon_h)
    last = keys["feature_at"].max()
    frame = keys.select(
        (pl.col("next_fault_start_at") < pl.col("feature_at") + horizon)
        .fill_null(False)
        .alias("y"),
        (pl.col("feature_at") + horizon <= last).alias("seen"),
    )
    y = frame["y"].to_numpy()
    return y.astype(np.int8), y | frame["seen"].to_numpy()


def versus(
    keys: pl.DataFrame, p: np.ndarray, windows: pl.DataFrame
) -> dict[str, dict[str, float | int]]:
    """Hourly PR-AUC of ``p`` and of the phase oracle at each horizon, and their ratio."""
    oracle = phase(keys, windows)
    out: dict[str, dict[str, float | int]] = {}
    for h in HORIZONS_H:
        y, known = labels_at(keys, h)
        model_auc = metrics.pr_auc(y[known], p[known])
        oracle_auc = metrics.pr_auc(y[known], oracle[known])
        out[f"{h}h"] = {
            "rows": int(known.sum()),
            "positive_share": float(y[known].mean()) if known.any() else 0.0,
            "model_pr_auc": model_auc,
            "oracle_pr_auc": oracle_auc,
            "ratio": model_auc / oracle_auc if oracle_auc else float("nan"),
        }
    return out
