"""The shipped default fault model: written by ``cpo models build-default``, checked by a retrain.

The folder (``store.DEFAULT_DIR``) holds ``model.pkl``, ``model_card.json`` (``source``:
``default``, the build command and its options, the scikit-learn version, the metrics) and the
training matrix: the exact rows the candidates were fitted on (after negative subsampling), the
validation rows that chose and calibrated the model, and the test rows with the test weeks' fault
onsets. ``retrain`` fits again from that matrix alone, in seconds, so a test can hold the card's
figures to the shipped code (no HTML card: its inline plotly.js alone weighs 4.5 MB).
"""

from __future__ import annotations

import json
import pickle
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models.fault import metrics, store
from models.fault.candidates import choose_on, training_rows
from models.fault.dataset import Frame
from models.fault.train import Fit

MATRIX = "training_matrix.parquet"
ONSETS = "test_onsets.parquet"
CARD = "model_card.json"
_PART, _Y = "_part", "_y"  # matrix columns beside the features (no feature starts with _)


@dataclass(frozen=True)
class Retrained:
    model: str
    validation_pr_auc: dict[str, float]
    test_pr_auc: float
    at_budget: dict[str, object]  # the card's test.model.at_budget, recomputed
    test_p: np.ndarray  # the retrained model's probabilities on the test rows


def write(
    result: Fit, faults: pl.DataFrame, build: dict[str, Any], folder: Path = store.DEFAULT_DIR
) -> Path:
    """Replace ``folder`` with the default model of ``result``; ``build`` goes in the card."""
    split = result.split
    keep = training_rows(split.train.y, result.card["seed"])  # the rows choose() fitted on
    parts = {"train": split.train.rows(keep), "valid": split.valid, "test": split.test}
    matrix = pl.concat([_part_frame(name, part) for name, part in parts.items()])
    test_keys = split.test.keys["feature_at"]
    onsets = metrics.onsets_between(faults, test_keys.min(), test_keys.max())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    card = {
        **result.card,
        "source": "default",
        "version": f"default-{stamp}",
        "build": build,
        "training_matrix": {
            "file": MATRIX,
            "rows": {name: int(part.y.size) for name, part in parts.items()},
            "positives": {name: int(part.y.sum()) for name, part in parts.items()},
            "test_onsets": onsets.height,
        },
    }
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with (tmp / "model.pkl").open("wb") as f:
        pickle.dump(result.fitted, f)
    (tmp / CARD).write_text(json.dumps(card, indent=2, default=str) + "\n")
    matrix.write_parquet(tmp / MATRIX, compression="zstd", compression_level=19)
    onsets.select("charge_point_id", "start_at").sort("charge_point_id", "start_at").write_parquet(
        tmp / ONSETS
    )
    shutil.rmtree(folder, ignore_errors=True)  # swap whole: never half an old, half a new model
    tmp.rename(folder)
    return folder


def read_card(folder: Path = store.DEFAULT_DIR) -> dict[str, Any]:
    card: dict[str, Any] = json.loads((folder / CARD).read_text())
    return card


def parts(folder: Path = store.DEFAULT_DIR) -> dict[str, Frame]:
    """The training matrix as the frames of the split it came from (train already subsampled)."""
    matrix = pl.read_parquet(folder / MATRIX)
    columns = [c for c in matrix.columns if not c.startswith("_") and c not in _KEYS]
    out = {}
    for name in ("train", "valid", "test"):
        rows = matrix.filter(pl.col(_PART) == name)
        keys = rows.select(*_KEYS, pl.col("feature_at").dt.date().alias("day"))
        x = rows.select(columns).cast(pl.Float64).to_numpy()
        out[name] = Frame(x, rows[_Y].to_numpy(), columns, keys)
    return out


def retrain(folder: Path = store.DEFAULT_DIR, every_candidate: bool = False) -> Retrained:
    """Fit, calibrate and evaluate again from the shipped matrix: the card's figures. By default
    only the card's chosen candidate is fitted (seconds); ``every_candidate`` chooses again."""
    card = read_card(folder)
    frames = parts(folder)
    train, valid, test = frames["train"], frames["valid"], frames["test"]
    only = None if every_candidate else card["model"]
    chosen = choose_on(train.x, train.y, train.columns, valid, card["seed"], only)
    p_valid = np.asarray(chosen.model.predict_proba(valid.x))[:, 1]
    p_test = np.asarray(chosen.model.predict_proba(test.x))[:, 1]
    threshold = metrics.threshold_for_budget(valid.keys, p_valid, card["alert_budget_per_day"])
    onsets = pl.read_parquet(folder / ONSETS)
    budget = metrics.at_budget(test.keys, p_test, onsets, threshold, card["horizon_h"])
    return Retrained(
        chosen.name, chosen.valid_pr_auc, metrics.pr_auc(test.y, p_test), budget.summary(), p_test
    )


_KEYS = ("charge_point_id", "feature_at")


def _part_frame(name: str, part: Frame) -> pl.DataFrame:
    features = pl.DataFrame(part.x, schema=part.columns, orient="row")
    return pl.concat(
        [
            part.keys.select(*_KEYS),
            features,
            pl.DataFrame({_PART: [name] * part.y.size, _Y: part.y.astype(np.int8)}),
        ],
        how="horizontal",
    )
