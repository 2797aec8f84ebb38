"""How predictable are a simulation's faults? The trained model's test PR-AUC beside two scores
that peek at the simulator's truth, on the same labelled charger-hours:

- ``phase oracle``: how far into a precursor window (fault or near miss) the hour is, 0..1;
- ``in window``: 1 inside any precursor window, else 0.

They bound what features built from the lake can reach: if even the phase oracle stays far below
a target, the signals the simulator emits (not the model) are what limits it. With a trained
model, the oracle is also scored on the model's own test rows (the card's test weeks, hours not
already in a fault), so the model / oracle ratio compares like with like.

    uv run python bench/bench_fault_ceiling.py --data-dir /tmp/train_sim2
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

import polars as pl
from sklearn.metrics import average_precision_score

from ingest.data_folder import DataFolder
from models.fault.dataset import drop_in_fault


def phase_scores(data: Path, horizon_col: str = "fault_within_h") -> pl.DataFrame:
    labels = pl.read_parquet(DataFolder(data).mart_file("failure_labels")).filter(
        pl.col("label_final") & pl.col(horizon_col).is_not_null()
    )
    truth = pl.read_parquet(DataFolder(data).sim_truth_file).filter(
        pl.col("kind").is_in(["fault", "near_miss", "averted"])
        & (pl.col("fault_type") != "transient_trip")
    )
    windows = truth.select("charge_point_id", "precursor_start", "start")
    joined = labels.join(windows, on="charge_point_id", how="left")
    inside = (pl.col("feature_at") >= pl.col("precursor_start")) & (
        pl.col("feature_at") < pl.col("start")
    )
    span = (pl.col("start") - pl.col("precursor_start")).dt.total_seconds()
    phase = (pl.col("feature_at") - pl.col("precursor_start")).dt.total_seconds() / span
    joined = joined.with_columns(pl.when(inside).then(phase).otherwise(0.0).alias("phase"))
    return joined.group_by("charge_point_id", "feature_at").agg(
        pl.col(horizon_col).first().alias("y"), pl.col("phase").max()
    )


def test_rows(s: pl.DataFrame, data: Path, test_from: datetime) -> pl.DataFrame:
    """The rows the model was tested on: from ``test_from``, and not inside a fault already
    (``models.fault.dataset`` drops those hours: the question is a fault's onset)."""
    faults = pl.read_parquet(DataFolder(data).mart_file("faults"))
    in_test = s.filter(pl.col("feature_at") >= test_from)
    return drop_in_fault(in_test, faults.select("charge_point_id", "start_at", "end_at"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True,
                    help="a simulated data folder after `cpo pipelines run` and `cpo models train`")
    args = ap.parse_args()
    data: Path = args.data_dir
    print(f"reading labels and simulator truth from {data} ...", flush=True)
    s = phase_scores(data)
    y = s["y"].cast(pl.Int8).to_numpy()
    phase = s["phase"].to_numpy()
    positives_inside = float(s.filter(pl.col("y"))["phase"].gt(0).mean() or 0.0)
    print(f"labelled charger-hours {s.height:,}, positive share {y.mean():.2%}, "
          f"positives inside a precursor window {positives_inside:.0%}")
    rows = {
        "phase oracle (truth)": average_precision_score(y, phase),
        "in window (truth)": average_precision_score(y, (phase > 0).astype(float)),
    }
    models = DataFolder(data).fault_models
    latest = models / "latest"
    if latest.exists():
        card = json.loads((models / latest.read_text().strip() / "model_card.json").read_text())
        t = test_rows(s, data, datetime.fromisoformat(card["split"]["test_from"]))
        y_t, phase_t = t["y"].cast(pl.Int8).to_numpy(), t["phase"].to_numpy()
        print(f"test weeks from {card['split']['test_from']}: {t.height:,} charger-hours not in "
              f"a fault (the model's test rows: {card['split']['rows']['test']:,}), "
              f"positive share {y_t.mean():.2%}")
        rows["phase oracle (test weeks)"] = average_precision_score(y_t, phase_t)
        rows["in window (test weeks)"] = average_precision_score(y_t, (phase_t > 0).astype(float))
        rows["trained model (test weeks)"] = card["test"]["model"]["pr_auc"]
        rows["rule baseline (test weeks)"] = card["test"]["rule_baseline"]["pr_auc"]
    for name, value in rows.items():
        print(f"  {name:<28} PR-AUC {value:.3f}")
    if "trained model (test weeks)" in rows:
        model = rows["trained model (test weeks)"]
        print(f"model / phase oracle, same test weeks: "
              f"{model / rows['phase oracle (test weeks)']:.2f} "
              f"(vs the oracle on all labelled hours: {model / rows['phase oracle (truth)']:.2f})")


if __name__ == "__main__":
    main()
