"""Self-healing off vs on: the same simulated network and seed, the same pipelines, the KPIs
side by side, and a chart. Targets (issue 5): fleet NEVI uptime >= 99 % with self-healing where
the reset-curable share of faults allows it; zero resets during energy delivery.

    uv run python bench/bench_self_healing.py          # 40 chargers x 30 days, faults x5
    uv run python bench/bench_self_healing.py --chargers 20 --days 10
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import plotly.graph_objects as go

from workbench.healing_eval import EvalOptions, run_arm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_self_healing"))
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--chargers", type=int, default=40)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--faults", type=float, default=5.0)
    args = parser.parse_args()
    opts = EvalOptions(args.work, args.sites, args.chargers, args.days, args.seed, args.faults)
    results = {}
    for healing in (False, True):
        started = time.perf_counter()
        label = "on" if healing else "off"
        results[label] = run_arm(opts, healing, lambda line: None)
        print(f"self-healing {label}: simulated and built in {time.perf_counter() - started:.0f} s")
    print(f"\n{'':42}{'off':>12}{'on':>12}")
    for key in results["off"]:
        off, on = results["off"][key], results["on"][key]
        fmt = (lambda v: f"{v:,.2f}") if isinstance(off, float) else (lambda v: f"{v:,}")
        print(f"{key:42}{fmt(off):>12}{fmt(on):>12}")
    keys = ["network uptime (NEVI, %)", "faulted port-hours", "failed charge attempts"]
    fig = go.Figure(
        [go.Bar(name=label, x=keys, y=[results[label][k] for k in keys]) for label in ("off", "on")]
    )
    fig.update_layout(barmode="group", title="Self-healing off vs on (same network and seed)")
    chart = args.work / "self_healing_ab.html"
    fig.write_html(chart, include_plotlyjs=True)
    print(f"\nchart: {chart}")


if __name__ == "__main__":
    main()
