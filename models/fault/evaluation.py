"""Evaluate a chosen model and the rule baseline on the test weeks, overall and per fault type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models.fault import metrics, restated
from models.fault.candidates import Chosen, error_code_rule, rule_baseline
from models.fault.split import Split


def evaluate(
    chosen: Chosen,
    split: Split,
    faults: pl.DataFrame,
    horizon_h: int,
    budget_per_day: float,
    truth_file: Path | None = None,
) -> dict[str, Any]:
    model_p_valid = np.asarray(chosen.model.predict_proba(split.valid.x))[:, 1]
    model_p = np.asarray(chosen.model.predict_proba(split.test.x))[:, 1]
    rule = rule_baseline(split.test.columns)
    rule_p_valid = rule.predict_proba(split.valid.x)[:, 1]
    rule_p = rule.predict_proba(split.test.x)[:, 1]
    errors = error_code_rule(split.test.columns)
    errors_p_valid = errors.predict_proba(split.valid.x)[:, 1]
    errors_p = errors.predict_proba(split.test.x)[:, 1]
    test_start, test_end = split.test.keys["feature_at"].min(), split.test.keys["feature_at"].max()
    onsets = metrics.onsets_between(faults, test_start, test_end)
    out: dict[str, Any] = {
        "test_rows": int(split.test.y.size),
        "test_positive_rows": int(split.test.y.sum()),
    }
    thresholds: dict[str, tuple[np.ndarray, float]] = {}
    for name, p, p_valid in (
        ("model", model_p, model_p_valid),
        ("rule_baseline", rule_p, rule_p_valid),
        ("error_code_rule", errors_p, errors_p_valid),
    ):
        threshold = metrics.threshold_for_budget(split.valid.keys, p_valid, budget_per_day)
        thresholds[name] = (p, threshold)
        budget = metrics.at_budget(split.test.keys, p, onsets, threshold, horizon_h)
        out[name] = {
            "pr_auc": metrics.pr_auc(split.test.y, p),
            "at_budget": budget.summary(),
            "by_error_code": _by_code(split, p, faults, threshold, horizon_h, test_start, test_end),
        }
        if truth_file is not None and truth_file.exists():
            out[name]["vs_simulator_truth"] = _vs_truth(
                split, p, truth_file, threshold, horizon_h, test_start, test_end
            )
    out["restated"] = restated.measure(
        thresholds, split.test.keys, faults, budget_per_day, truth_file
    )
    out["calibration"] = metrics.calibration(split.test.y, model_p)
    out["lead_times_h"] = metrics.at_budget(
        split.test.keys,
        model_p,
        onsets,
        out["model"]["at_budget"]["threshold"],
        horizon_h,
    ).lead_times_h
    out["test_scores"] = {"model": model_p, "rule_baseline": rule_p, "y": split.test.y}
    return out


def _by_code(
    split: Split,
    p: np.ndarray,
    faults: pl.DataFrame,
    threshold: float,
    horizon_h: int,
    start: Any,
    end: Any,
) -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    coded = faults.with_columns(pl.col("error_code").fill_null("(none)"))
    for code in sorted(coded["error_code"].unique().to_list()):
        onsets = metrics.onsets_between(coded.filter(pl.col("error_code") == code), start, end)
        if onsets.height:
            result[code] = metrics.at_budget(
                split.test.keys, p, onsets, threshold, horizon_h
            ).summary()
    return result


def _vs_truth(
    split: Split,
    p: np.ndarray,
    truth_file: Path,
    threshold: float,
    horizon_h: int,
    start: Any,
    end: Any,
) -> dict[str, dict[str, object]]:
    """Recall and lead time against the simulator's own record of long faults, per type."""
    truth = pl.read_parquet(truth_file).filter(
        (pl.col("kind") == "fault") & (pl.col("fault_type") != "transient_trip")
    )
    truth = truth.select("charge_point_id", pl.col("start").alias("start_at"), "fault_type")
    result: dict[str, dict[str, object]] = {}
    for fault_type in sorted(truth["fault_type"].unique().to_list()):
        onsets = metrics.onsets_between(
            truth.filter(pl.col("fault_type") == fault_type), start, end
        )
        if onsets.height:
            result[fault_type] = metrics.at_budget(
                split.test.keys, p, onsets, threshold, horizon_h
            ).summary()
    return result
