"""Why a charger scores high: the features furthest from normal, weighted by importance.

An approximation (cheap enough to run every 15 minutes): each feature's z-score against the
training rows, times its permutation importance on the validation weeks; the top three are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.inspection import permutation_importance


@dataclass(frozen=True)
class Explainer:
    columns: list[str]
    mean: list[float]
    std: list[float]
    importance: list[float]

    def top(self, x: np.ndarray, n: int = 3) -> list[list[dict[str, float | str]]]:
        mean, std = np.asarray(self.mean), np.asarray(self.std)
        z = np.nan_to_num((x - mean) / np.where(std > 0, std, 1.0))
        weight = z * np.asarray(self.importance)
        out = []
        for row, w in zip(x, weight, strict=True):
            order = np.argsort(-w)[:n]
            out.append(
                [
                    {"feature": self.columns[i], "value": _num(row[i]), "weight": _num(w[i])}
                    for i in order
                    if w[i] > 0
                ]
            )
        return out


def fit(
    model: Any,
    x_train: np.ndarray,
    x_valid: np.ndarray,
    y_valid: np.ndarray,
    columns: list[str],
    seed: int = 0,
) -> Explainer:
    result = permutation_importance(
        model,
        x_valid,
        y_valid,
        scoring="average_precision",
        n_repeats=2,
        random_state=seed,
        max_samples=min(10_000, len(y_valid)),
    )
    importance = np.clip(result.importances_mean, 0, None)
    return Explainer(
        columns,
        np.nanmean(x_train, axis=0).tolist(),
        np.nanstd(x_train, axis=0).tolist(),
        importance.tolist(),
    )


def _num(v: float) -> float:
    return 0.0 if v is None or np.isnan(v) else round(float(v), 4)
