"""How good a fault score is, in the terms an operator lives with.

- PR-AUC (average precision) over charger-hours: faults are rare, ROC-AUC would flatter.
- A daily alert budget: a threshold, chosen on the validation weeks, that raises on average
  ``budget`` alerts a day across the network (an alert = a charger's first hour over the
  threshold that day). Precision = alerts followed by a fault onset within H hours; recall =
  fault onsets with an alert in the H hours before them; lead time = onset minus the first such
  alert.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score


@dataclass(frozen=True)
class BudgetResult:
    threshold: float
    alerts_per_day: float
    precision: float
    recall: float
    onsets: int
    caught: int
    median_lead_h: float | None
    lead_times_h: list[float]

    def summary(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("lead_times_h")
        return d


def pr_auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(average_precision_score(y, p)) if y.sum() else float("nan")


def threshold_for_budget(keys: pl.DataFrame, p: np.ndarray, budget_per_day: float) -> float:
    """The lowest threshold whose daily alerts average at most ``budget_per_day``."""
    daily = keys.with_columns(pl.Series("p", p)).group_by("charge_point_id", "day").agg(pl.max("p"))
    days = max(keys["day"].n_unique(), 1)
    ranked = np.sort(daily["p"].to_numpy())[::-1]
    k = int(budget_per_day * days)
    if k <= 0 or ranked.size == 0:
        return 1.0
    return float(ranked[min(k, ranked.size) - 1])


def at_budget(
    keys: pl.DataFrame, p: np.ndarray, onsets: pl.DataFrame, threshold: float, horizon_h: int
) -> BudgetResult:
    """Alerts over ``threshold`` against fault ``onsets`` (charge_point_id, start_at)."""
    alerts = (
        keys.with_columns(pl.Series("p", p))
        .filter(pl.col("p") >= threshold)
        .group_by("charge_point_id", "day")
        .agg(pl.min("feature_at").alias("alert_at"))
    )
    days = max(keys["day"].n_unique(), 1)
    horizon = timedelta(hours=horizon_h)
    pairs = alerts.join(onsets, on="charge_point_id", how="inner").filter(
        (pl.col("start_at") >= pl.col("alert_at"))
        & (pl.col("start_at") < pl.col("alert_at") + horizon)
    )
    true_alerts = pairs.select("charge_point_id", "alert_at").unique().height
    caught = pairs.group_by("charge_point_id", "start_at").agg(pl.min("alert_at"))
    leads = (
        caught.select((pl.col("start_at") - pl.col("alert_at")).dt.total_seconds() / 3600)
        .to_series()
        .to_list()
    )
    return BudgetResult(
        threshold=threshold,
        alerts_per_day=alerts.height / days,
        precision=true_alerts / alerts.height if alerts.height else 0.0,
        recall=caught.height / onsets.height if onsets.height else float("nan"),
        onsets=onsets.height,
        caught=caught.height,
        median_lead_h=float(np.median(leads)) if leads else None,
        lead_times_h=[float(v) for v in leads],
    )


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, list[float]]:
    observed, predicted = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    return {"predicted": predicted.tolist(), "observed": observed.tolist()}


def onsets_between(faults: pl.DataFrame, start: Any, end: Any) -> pl.DataFrame:
    """Fault onsets (one per charger and start) inside [start, end]."""
    return (
        faults.filter((pl.col("start_at") >= start) & (pl.col("start_at") <= end))
        .select("charge_point_id", "start_at", *[c for c in ("kind",) if c in faults.columns])
        .unique(["charge_point_id", "start_at"])
    )
