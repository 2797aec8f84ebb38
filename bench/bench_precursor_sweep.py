"""How much can the fault model learn, depending on how faults announce themselves?

No public data says how long before a fault chargers show signs, how the signs grow, or how often
they come to nothing; the simulator's defaults are a guess (`docs/simulator.md`). This sweep
simulates the same network (same seed, fault rate, demand) under several precursor settings,
runs the pipelines, trains the model, and prints, per setting: the model's test PR-AUC, the
phase oracle's on the same test weeks (a score that peeks at the simulator's truth), the rule
baseline, recall and median lead at the alert budget; and each figure as a ratio to the default
setting's, measured in the same run.

    uv run python bench/bench_precursor_sweep.py --work /tmp/precursor_sweep

Settings whose simulation is already in --work are not simulated again (the pipelines and the
training always run, so a feature change is measured on the same lakes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import polars as pl
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fault_ceiling import phase_scores, test_rows

from ingest.data_folder import DataFolder
from ingest.sim.faults import Precursors


def options(p: Precursors) -> list[str]:
    """``cpo simulate``'s flags for ``p``."""
    return [
        "--precursor-window-h", str(p.median_h),
        "--near-miss-share", str(p.near_miss_share),
        "--precursor-ramp", str(p.ramp),
    ]  # fmt: skip


SETTINGS = {  # the simulator's own defaults first, then one or more knobs turned
    "default": Precursors(),
    "linear": Precursors(ramp=1.0),
    "no_near_miss": Precursors(near_miss_share=0.0),
    "linear_no_near_miss": Precursors(ramp=1.0, near_miss_share=0.0),
    "early_no_near_miss": Precursors(ramp=0.5, near_miss_share=0.0),
    "short_linear_no_near_miss": Precursors(median_h=12.0, ramp=1.0, near_miss_share=0.0),
}


def cpo(*args: str) -> None:
    exe = shutil.which("cpo", path=str(Path(sys.executable).parent))
    if exe is None:
        sys.exit("the `cpo` command is not in this environment: run with `uv run python ...`")
    started = time.perf_counter()
    subprocess.run([exe, *args], check=True, stdout=subprocess.DEVNULL)
    print(f"    cpo {args[0]} {args[1] if len(args) > 1 else ''}: "
          f"{time.perf_counter() - started:.0f} s", flush=True)


def build(setting: Precursors, folder: Path, network: list[str], simulate_only: bool) -> None:
    data = ["--data-dir", str(folder)]
    if not DataFolder(folder).sim_truth_file.exists():
        shutil.rmtree(folder, ignore_errors=True)
        cpo("simulate", *data, *network, *options(setting))
    if simulate_only:
        return
    cpo("pipelines", "run", *data)
    cpo("models", "train", *data)


def measure(folder: Path) -> dict[str, float]:
    models = DataFolder(folder).fault_models
    version = (models / "latest").read_text().strip()
    card = json.loads((models / version / "model_card.json").read_text())
    test, test_from = card["test"], card["split"]["test_from"]
    scores = test_rows(phase_scores(folder), folder, datetime.fromisoformat(test_from))
    y = scores["y"].cast(pl.Int8).to_numpy()
    budget = test["model"]["at_budget"]
    return {
        "model PR-AUC": test["model"]["pr_auc"],
        "oracle PR-AUC": float(average_precision_score(y, scores["phase"].to_numpy())),
        "rule PR-AUC": test["rule_baseline"]["pr_auc"],
        "recall at budget": budget["recall"],
        "median lead h": budget["median_lead_h"] or 0.0,
        "test onsets": budget["onsets"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, required=True, help="a folder per setting goes here")
    ap.add_argument("--settings", default=",".join(SETTINGS),
                    help=f"comma-separated, of: {', '.join(SETTINGS)}")
    ap.add_argument("--chargers", type=int, default=100)
    ap.add_argument("--sites", type=int, default=12)
    ap.add_argument("--days", type=float, default=60.0)
    ap.add_argument("--faults", type=float, default=30.0, help="fault-rate multiplier")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--simulate-only", action="store_true",
                    help="only simulate the missing lakes (train and measure in a later run)")
    args = ap.parse_args()
    names = [n.strip() for n in args.settings.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        sys.exit(f"unknown setting(s) {', '.join(unknown)}; choose from {', '.join(SETTINGS)}")
    if "default" not in names:
        names.insert(0, "default")  # the baseline of every ratio
    network = ["--sites", str(args.sites), "--chargers", str(args.chargers),
               "--days", str(args.days), "--faults", str(args.faults), "--seed", str(args.seed)]
    results: dict[str, dict[str, float]] = {}
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name}: {SETTINGS[name]}", flush=True)
        build(SETTINGS[name], args.work / name, network, args.simulate_only)
        if not args.simulate_only:
            results[name] = measure(args.work / name)
    if results:
        report(results)


def report(results: dict[str, dict[str, float]]) -> None:
    base = results["default"]
    columns = list(base)
    print("\n" + " | ".join(["setting", *columns, "model / oracle", "model PR-AUC x default"]))
    for name, r in results.items():
        cells = [f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in columns]
        ratio = r["model PR-AUC"] / r["oracle PR-AUC"] if r["oracle PR-AUC"] else 0.0
        print(" | ".join([name, *cells, f"{ratio:.2f}",
                          f"x{r['model PR-AUC'] / base['model PR-AUC']:.2f}"]))


if __name__ == "__main__":
    main()
