"""Self-healing off vs on (rule triggers) vs on with the fault model's alerts: the same simulated
network and seed, the same pipelines, the KPIs side by side, and a chart. Targets (issue 5):
fleet NEVI uptime >= 99 % with self-healing where the reset-curable share of faults allows it;
zero resets during energy delivery.

The model arm ("rules + model") rebuilds the failure features from the live lake every
--every-h simulated hours, scores them with a model trained beforehand on ANOTHER network
(--model-from DIR: a data folder holding a trained model; or --train DIR: simulate, build and
train one there first, seed --train-seed), and acts on its alerts.

    uv run python bench/bench_self_healing.py --arms off,rules      # 40 chargers x 30 days
    uv run python bench/bench_self_healing.py --model-from /tmp/train_sim2 \\
        --chargers 40 --days 30 --sites 6 --faults 20
    uv run python bench/bench_self_healing.py --train /tmp/train_sim2 --chargers 20 --days 10
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from evaluation.self_healing.arms import ARMS, Arm, EvalOptions, run_arm
from ingest.sim.context import SimSettings

LABELS: dict[Arm, str] = {"off": "off", "rules": "rules", "model": "rules + model"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_self_healing"))
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--chargers", type=int, default=40)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--faults", type=float, default=5.0)
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated subset")
    parser.add_argument("--every-h", type=float, default=2.0, help="model arm: hours per rebuild")
    parser.add_argument("--model-from", type=Path, help="data folder with a trained fault model")
    parser.add_argument("--train", type=Path, help="simulate, build and train a model here first")
    parser.add_argument("--train-sites", type=int, default=12)
    parser.add_argument("--train-chargers", type=int, default=100)
    parser.add_argument("--train-days", type=float, default=60.0)
    parser.add_argument("--train-faults", type=float, default=30.0)
    parser.add_argument("--train-seed", type=int, default=7)
    parser.add_argument("--quiet", action="store_true", help="no simulation progress lines")
    args = parser.parse_args()
    arms = [a for a in ARMS if a in args.arms.split(",")]
    say = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    model_dir = args.model_from
    if args.train is not None:
        from evaluation.self_healing.train_model import train_network

        if args.train_seed == args.seed:
            parser.error("--train-seed must differ from --seed: the model is tested on unseen data")
        started = time.perf_counter()
        model_dir = train_network(
            SimSettings(
                data_dir=args.train.resolve(),
                sites=args.train_sites,
                chargers=args.train_chargers,
                days=args.train_days,
                seed=args.train_seed,
                fault_scale=args.train_faults,
            ),
            say,
        )
        print(f"training network built and trained in {time.perf_counter() - started:.0f} s")
    if "model" in arms and model_dir is None:
        parser.error("the model arm needs --model-from DIR or --train DIR (or leave it out)")
    opts = EvalOptions(
        args.work,
        args.sites,
        args.chargers,
        args.days,
        args.seed,
        args.faults,
        model_dir.resolve() if model_dir else None,
        args.every_h,
    )
    results: dict[Arm, dict[str, Any]] = {}
    for arm in arms:
        started = time.perf_counter()
        what = f"{args.chargers} chargers x {args.days:g} days"
        print(f"arm {LABELS[arm]}: simulating {what}", flush=True)
        results[arm] = run_arm(opts, arm, _prefixed(say, arm))
        results[arm]["wall time, arm (s)"] = round(time.perf_counter() - started, 1)
        print(f"arm {LABELS[arm]}: done in {time.perf_counter() - started:.0f} s", flush=True)
    recovered(results)
    table(results)
    chart(results, args.work / "self_healing_ab.html")


def _prefixed(say: Callable[[str], None], arm: Arm) -> Callable[[str], None]:
    return lambda line: say(f"[{arm}] {line}")


CURABLE_H = "outage port-hours in curable long faults (truth)"


def recovered(results: dict[Arm, dict[str, Any]]) -> None:
    """Each arm's share of the outage a reset could win back, against the arm with no healing:
    the measure of the uptime target "where the reset-curable share of faults allows it"."""
    if "off" not in results or not results["off"].get(CURABLE_H):
        return
    lost = results["off"][CURABLE_H]
    for r in results.values():
        r["curable outage won back vs off (%)"] = 100.0 * (1.0 - r[CURABLE_H] / lost)


def table(results: dict[Arm, dict[str, Any]]) -> None:
    arms = list(results)
    keys = list(dict.fromkeys(k for arm in arms for k in results[arm]))
    print(f"\n{'':52}" + "".join(f"{LABELS[a]:>15}" for a in arms))
    for key in keys:
        cells = []
        for arm in arms:
            v = results[arm].get(key)
            cells.append("-" if v is None else f"{v:,.2f}" if isinstance(v, float) else f"{v:,}")
        print(f"{key:52}" + "".join(f"{c:>15}" for c in cells))


PANELS = (
    ("uptime", ["network uptime (NEVI, %)", "uptime if curable faults cost nothing (truth, %)"]),
    (
        "outage port-hours",
        [
            "all outage port-hours",
            CURABLE_H,
            "outage port-hours in technician faults (truth)",
        ],
    ),
    (
        "events",
        [
            "self-healing resets",
            "resets on a model alert",
            "curable faults averted by a reset before onset (truth)",
            "false resets (no fault on, none averted, truth)",
            "sessions interrupted by resets (truth)",
        ],
    ),
)


def chart(results: dict[Arm, dict[str, Any]], path: Path) -> None:
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=len(PANELS), subplot_titles=[t for t, _ in PANELS])
    colours = {"off": "#9e9e9e", "rules": "#1f77b4", "model": "#2ca02c"}
    for col, (_, keys) in enumerate(PANELS, start=1):
        for arm in results:
            fig.add_trace(
                go.Bar(
                    name=LABELS[arm],
                    x=[SHORT.get(k, k) for k in keys],
                    y=[results[arm][k] for k in keys],
                    marker_color=colours[arm],
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        barmode="group", title="Self-healing off / rules / rules + model (same network and seed)"
    )
    fig.update_yaxes(range=[85, 100], row=1, col=1)
    fig.write_html(path, include_plotlyjs=True)
    print(f"\nchart: {path}")


SHORT = {
    "network uptime (NEVI, %)": "NEVI uptime %",
    "uptime if curable faults cost nothing (truth, %)": "reset ceiling %",
    CURABLE_H: "curable faults",
    "outage port-hours in technician faults (truth)": "technician faults",
    "all outage port-hours": "all outages",
    "curable faults averted by a reset before onset (truth)": "faults averted",
    "false resets (no fault on, none averted, truth)": "false resets",
    "sessions interrupted by resets (truth)": "sessions interrupted",
    "resets on a model alert": "resets on an alert",
}


if __name__ == "__main__":
    main()
