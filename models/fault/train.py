"""Train, choose, calibrate, evaluate and save a fault model from a warehouse's marts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import sklearn

from ingest.data_folder import DataFolder
from models.errors import NotEnoughDataError
from models.fault import card, dataset, explain, routing, store
from models.fault.candidates import Chosen, choose
from models.fault.evaluation import evaluate
from models.fault.split import MIN_TRAIN_ONSETS, Split, onsets, require_onsets, time_split


@dataclass(frozen=True)
class TrainOptions:
    horizon_h: int = 24
    budget_per_100_chargers: float = 2.0  # alerts a day the operations team can look at
    seed: int = 0


@dataclass(frozen=True)
class Trained:
    folder: Path
    card: dict[str, Any]


@dataclass(frozen=True)
class FittedModel:
    """What scoring needs: the calibrated model, the explainer, columns and categories."""

    model: Any
    explainer: explain.Explainer
    columns: list[str]
    categories: dict[str, list[str]]
    threshold: float
    horizon_h: int
    router: routing.Router | None = None  # reset or technician (models saved before: None)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(x))


@dataclass(frozen=True)
class Fit:
    """A fitted model before it is saved, with the split it came from."""

    fitted: FittedModel
    card: dict[str, Any]
    html: str
    split: Split


def train(data_dir: Path, marts: Path, options: TrainOptions) -> Trained:
    """Fit on the data folder's warehouse and save it as the folder's own newest model.

    Refused (``NotEnoughDataError``, nothing saved) when the training weeks hold fewer than
    ``MIN_TRAIN_ONSETS`` fault onsets: scoring then keeps using the shipped default model."""
    try:
        result = fit(data_dir, marts, options, min_onsets=MIN_TRAIN_ONSETS)
    except NotEnoughDataError as exc:
        keeps = (
            "this folder's own latest model"
            if store.has_own(data_dir)
            else "the shipped default model"
        )
        raise NotEnoughDataError(f"not trained: {exc}; scoring keeps {keeps}") from None
    folder = store.save(data_dir, result.fitted, result.card, result.html)
    return Trained(folder, result.card)


def fit(data_dir: Path, marts: Path, options: TrainOptions, min_onsets: int = 0) -> Fit:
    categories = dataset.categories_of(marts)
    frame = dataset.load(marts, options.horizon_h, categories)
    split = time_split(frame, options.horizon_h)
    require_onsets(split, min_onsets)
    chosen = choose(split, options.seed)
    chargers = frame.keys["charge_point_id"].n_unique()
    budget = options.budget_per_100_chargers * chargers / 100
    faults = pl.read_parquet(marts / "faults.parquet")
    truth = DataFolder(data_dir).sim_truth_file
    result = evaluate(chosen, split, faults, options.horizon_h, budget, truth)
    explainer = explain.fit(
        chosen.model, split.train.x, split.valid.x, split.valid.y, split.train.columns, options.seed
    )
    router, routing_card = _router(split, faults, options.seed)
    if router is not None:
        p_test = np.asarray(chosen.model.predict_proba(split.test.x))[:, 1]
        threshold = result["model"]["at_budget"]["threshold"]
        sim_truth = pl.read_parquet(truth) if truth.exists() else None
        routing_card["test_at_first_alert"] = routing.at_first_alert(
            router, split.test, p_test, threshold, faults, sim_truth
        )
    fitted = FittedModel(
        chosen.model,
        explainer,
        split.train.columns,
        categories,
        result["model"]["at_budget"]["threshold"],
        options.horizon_h,
        router,
    )
    meta = _card(chosen.name, chosen.valid_pr_auc, result, split, frame, options, budget, explainer)
    meta["routing"] = routing_card
    html = card.plots_html(result, f"Fault model {chosen.name}, H = {options.horizon_h} h")
    return Fit(fitted, meta, html, split)


def _router(
    split: Split, faults: pl.DataFrame, seed: int
) -> tuple[routing.Router | None, dict[str, Any]]:
    """The fault-type router, fitted on the same split; none when the faults carry one code."""
    try:
        result = routing.fit_router(split, faults, seed)
    except NotEnoughDataError as exc:
        return None, {"skipped": str(exc)}
    return result.router, result.card


def _card(
    name: str,
    valid: dict[str, float],
    result: dict[str, Any],
    split: Split,
    frame: Any,
    options: TrainOptions,
    budget: float,
    explainer: explain.Explainer,
) -> dict[str, Any]:
    ranked = sorted(zip(explainer.columns, explainer.importance, strict=True), key=lambda t: -t[1])
    return {
        "model": name,
        "source": "own",  # build-default replaces it with "default"
        "trained_at": datetime.now(UTC).isoformat(),
        "target": f"a fault (Faulted >= the build's fault_min_minutes) begins within "
        f"{options.horizon_h} h of feature_at",
        "horizon_h": options.horizon_h,
        "seed": options.seed,
        "split": {
            "valid_from": split.boundaries[0].isoformat(),
            "test_from": split.boundaries[1].isoformat(),
            "rows": {
                "train": int(split.train.y.size),
                "valid": int(split.valid.y.size),
                "test": int(split.test.y.size),
            },
            "positives": {
                "train": int(split.train.y.sum()),
                "valid": int(split.valid.y.sum()),
                "test": int(split.test.y.sum()),
            },
        },
        "chargers": int(frame.keys["charge_point_id"].n_unique()),
        "alert_budget_per_day": budget,
        "validation_pr_auc": valid,
        "test": {k: v for k, v in result.items() if k not in ("test_scores", "lead_times_h")},
        "features": explainer.columns,
        "feature_importance": [{"feature": f, "importance": round(i, 5)} for f, i in ranked[:15]],
        "train_onsets": onsets(split.train),
        "code_version": store.code_version(),
        "sklearn_version": sklearn.__version__,
    }


def evaluate_latest(
    data_dir: Path, marts: Path, budget_per_100_chargers: float = 2.0
) -> dict[str, Any]:
    """The current model (own, else the default) and the rule baseline on the test weeks of the
    warehouse as it is now."""
    fitted, card_meta, _folder = store.load_current(data_dir)
    frame = dataset.load(marts, fitted.horizon_h, fitted.categories)
    split = time_split(frame, fitted.horizon_h)
    chosen = Chosen(card_meta["model"], fitted, card_meta["validation_pr_auc"])
    budget = budget_per_100_chargers * frame.keys["charge_point_id"].n_unique() / 100
    faults = pl.read_parquet(marts / "faults.parquet")
    result = evaluate(
        chosen, split, faults, fitted.horizon_h, budget, DataFolder(data_dir).sim_truth_file
    )
    card_meta = {
        **card_meta,
        "test": {k: v for k, v in result.items() if k not in ("test_scores", "lead_times_h")},
    }
    return card_meta
