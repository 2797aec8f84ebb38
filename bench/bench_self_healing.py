"""Self-healing off | rules | rules + model resets | rules + model resets + predictive dispatch:
the same simulated network and seed, the same simulated field service (technicians who take the
tickets the loop hands over, after a response time, at a cost per truck roll), the same
pipelines, the KPIs side by side, and a chart. Targets (issues 5 and 20): zero resets during
energy delivery; predictive dispatch halves the technician-fault outage port-hours of reactive
dispatch (the rules + model arm); fleet NEVI uptime >= 98.5 %.

The model arms rebuild the failure features from the live lake every --every-h simulated hours
and score them with a model trained beforehand on ANOTHER network: the shipped default model
(trained on seed 7) unless --model-from DIR (a data folder holding a trained model) or --train
DIR (simulate, build and train one there first, seed --train-seed). The dispatch arm routes each
alert (``models.healing.routing``): technician -> a ticket before onset, no reset.

    uv run python bench/bench_self_healing.py --chargers 40 --days 30 --sites 6 --faults 20
    uv run python bench/bench_self_healing.py --arms off,rules      # no model
    uv run python bench/bench_self_healing.py --train /tmp/train_sim2 --chargers 20 --days 10
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from evaluation.self_healing.arms import ARMS, FOLDERS, Arm, EvalOptions, run_arm
from evaluation.self_healing.field_figures import HEADLINE, field_figures
from evaluation.self_healing.ticket_counts import ticket_counts
from ingest.sim.context import SimSettings
from ingest.sim.field_contract import FieldService

LABELS: dict[Arm, str] = {"off": "off", "rules": "rules", "model": "rules + model",
                          "dispatch": "+ pred. dispatch"}


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
    parser.add_argument("--response-h", type=float, default=FieldService.response_median_h,
                        help="technicians' median response time, hours")
    parser.add_argument("--repair-h", type=float, default=FieldService.repair_median_h,
                        help="median repair time on site, hours")
    parser.add_argument("--cost-per-roll", type=float, default=FieldService.cost_per_roll_usd,
                        help="USD per truck roll")
    parser.add_argument("--quiet", action="store_true", help="no simulation progress lines")
    parser.add_argument("--from-saved", action="store_true",
                        help="run nothing: report the arms saved in --work (arms run apart, "
                        "e.g. one process per arm with the same options)")
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
    if model_dir is None and args.seed == 7 and any(a in ("model", "dispatch") for a in arms):
        parser.error("the default model was trained on seed 7: give another --seed")
    try:
        contract = FieldService(response_median_h=args.response_h,
                                response_min_h=min(FieldService.response_min_h, args.response_h),
                                repair_median_h=args.repair_h, cost_per_roll_usd=args.cost_per_roll)
    except ValueError as exc:
        parser.error(str(exc))
    opts = EvalOptions(
        args.work,
        args.sites,
        args.chargers,
        args.days,
        args.seed,
        args.faults,
        model_dir.resolve() if model_dir else None,
        args.every_h,
        contract,
    )
    results: dict[Arm, dict[str, Any]] = {}
    for arm in arms if not args.from_saved else []:
        started = time.perf_counter()
        what = f"{args.chargers} chargers x {args.days:g} days"
        print(f"arm {LABELS[arm]}: simulating {what}", flush=True)
        results[arm] = run_arm(opts, arm, _prefixed(say, arm))
        results[arm]["wall time, arm (s)"] = round(time.perf_counter() - started, 1)
        print(f"arm {LABELS[arm]}: done in {time.perf_counter() - started:.0f} s", flush=True)
        _saved(args.work, arm).write_text(json.dumps(results[arm], indent=1, default=str))
    if args.from_saved:
        results = {a: json.loads(_saved(args.work, a).read_text()) for a in arms
                   if _saved(args.work, a).exists()}
        if not results:
            parser.error(f"no saved arms in {args.work}")
    for arm in results:
        results[arm] |= ticket_counts(args.work / FOLDERS[arm])
    recovered(results)
    field_figures(results)
    print(f"field service: median response {contract.response_median_h:g} h, median repair "
          f"{contract.repair_median_h:g} h, USD {contract.cost_per_roll_usd:,.0f} per truck roll")
    table(results, HEADLINE)
    table(results)
    chart(results, args.work / "self_healing_ab.html")


def _saved(work: Path, arm: Arm) -> Path:
    return work / f"results_{arm}.json"


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


def table(results: dict[Arm, dict[str, Any]], only: tuple[str, ...] = ()) -> None:
    """Every figure of every arm, or ``only`` those (in that order)."""
    arms = list(results)
    keys = list(only) or list(dict.fromkeys(k for arm in arms for k in results[arm]))
    print(f"\n{'':58}" + "".join(f"{LABELS[a]:>17}" for a in arms))
    for key in keys:
        cells = []
        for arm in arms:
            v = results[arm].get(key)
            cells.append(_cell(v))
        print(f"{key:58}" + "".join(f"{c:>17}" for c in cells))


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


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
        "field service",
        [
            "truck rolls, useful (truth)",
            "truck rolls, wasted (truth)",
            "faults averted (truth)",
            "technician faults averted (truth)",
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
    colours = {"off": "#9e9e9e", "rules": "#1f77b4", "model": "#2ca02c", "dispatch": "#d62728"}
    for col, (_, keys) in enumerate(PANELS, start=1):
        for arm in results:
            fig.add_trace(
                go.Bar(
                    name=LABELS[arm],
                    x=[SHORT.get(k, k) for k in keys],
                    y=[results[arm].get(k) for k in keys],
                    marker_color=colours[arm],
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        barmode="group",
        title="Self-healing off / rules / + model resets / + predictive dispatch "
        "(same network and seed)",
    )
    fig.update_yaxes(range=[85, 100], row=1, col=1)
    fig.write_html(path, include_plotlyjs=True)
    print(f"\nchart: {path}")
    try:
        fig.write_image(path.with_suffix(".png"), width=1600, height=500)
        print(f"chart: {path.with_suffix('.png')}")
    except (ImportError, ValueError, RuntimeError) as exc:  # no kaleido here: HTML only
        print(f"no PNG ({type(exc).__name__}: kaleido is not installed)")


SHORT = {
    "network uptime (NEVI, %)": "NEVI uptime %",
    "uptime if curable faults cost nothing (truth, %)": "reset ceiling %",
    CURABLE_H: "curable faults",
    "outage port-hours in technician faults (truth)": "technician faults",
    "all outage port-hours": "all outages",
    "curable faults averted by a reset before onset (truth)": "averted by a reset",
    "false resets (no fault on, none averted, truth)": "false resets",
    "sessions interrupted by resets (truth)": "sessions interrupted",
    "resets on a model alert": "resets on an alert",
    "truck rolls, useful (truth)": "useful rolls",
    "truck rolls, wasted (truth)": "wasted rolls",
    "faults averted (truth)": "faults averted",
    "technician faults averted (truth)": "technician faults averted",
}


if __name__ == "__main__":
    main()
