"""``cpo demo``: the whole product end to end on embedded data, in one process.

A simulated network (sites, AC/DC chargers on OCPP 1.6J and 2.0.1, drivers of several partners,
faults fitted to a real network's report) runs through a real CSMS over real WebSockets, in
simulated time, while an operator sends commands through the HTTP API; then the lake and the
simulator's ground truth are read back with DuckDB, the KPI pipelines build the warehouse and
the headline KPIs are printed. The command (``workbench.commands.demo``) then serves the
dashboard on the result.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.lake.paths import lake_dir
from ingest.sim.context import SimSettings
from ingest.sim.profile import load_default
from pipelines.errors import PipelineError
from pipelines.runner import run as run_pipelines
from workbench.runs.demo_operator import DemoOperator, Say
from workbench.runs.kpi_summary import kpi_lines
from workbench.runs.lake_summary import summarize, truth_summary
from workbench.runs.simulate import SimulateJob, run_simulation

MARKER = ".cpo-demo.json"  # what the demo ran; only a folder holding it is ever wiped


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path
    sites: int = 8
    chargers: int = 60
    days: float = 60.0
    seed: int = 7
    reuse: bool = False  # keep a finished demo with the same options instead of re-running


def demo(opts: DemoOptions, say: Say) -> None:
    started = time.perf_counter()
    if opts.reuse and _finished(opts):
        say(f"[1/3] reusing the finished demo in {opts.data_dir} (same options)")
    else:
        _fresh_folder(opts.data_dir)
        say(
            f"[1/3] {opts.days:g} days of a {opts.sites}-site, {opts.chargers}-charger network "
            f"through a CSMS on a simulated clock, into {opts.data_dir}"
        )
        _simulate(opts, say)
    say("[2/3] The lake and the simulator's ground truth, read back with DuckDB")
    for line in summarize(lake_dir(opts.data_dir)) + truth_summary(opts.data_dir):
        say("  " + line)
    say("[3/3] KPI pipelines (Dagster assets, DuckDB warehouse), then the headline KPIs")
    summary = run_pipelines(opts.data_dir, progress=lambda line: say("  " + line))
    if not summary.ok:
        raise PipelineError(
            f"pipelines: failed steps {summary.steps_failed}, failed checks "
            f"{summary.checks_failed}; see `cpo pipelines ui --data-dir {opts.data_dir}`"
        )
    for line in kpi_lines(opts.data_dir):
        say("  " + line)
    say(
        f"done in {time.perf_counter() - started:,.1f} s. Next: cpo pipelines ui --data-dir "
        f"{opts.data_dir} (the asset graph), cpo export evchart --data-dir {opts.data_dir} "
        "--from ... --to ... --out DIR, or cpo csms --data-dir "
        f"{opts.data_dir} --api-port 9001"
    )


def _simulate(opts: DemoOptions, say: Say) -> None:
    settings = SimSettings(
        data_dir=opts.data_dir,
        sites=opts.sites,
        chargers=opts.chargers,
        days=opts.days,
        seed=opts.seed,
    )
    operator = DemoOperator(settings.start, say)
    job = SimulateJob(settings, load_default(), node_id="demo", api=True, during=operator)
    run_simulation(job, say)
    (opts.data_dir / MARKER).write_text(json.dumps(_key(opts)))


def _key(opts: DemoOptions) -> dict[str, object]:
    return {k: v for k, v in asdict(opts).items() if k not in ("data_dir", "reuse")}


def _finished(opts: DemoOptions) -> bool:
    marker = opts.data_dir / MARKER
    try:
        return bool(json.loads(marker.read_text()) == _key(opts))
    except (OSError, ValueError):
        return False


def _fresh_folder(folder: Path) -> None:
    """Empty the folder, but only if it is a demo's (or empty): never someone's own data."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise IngestError(
                f"{folder} is not empty and was not written by cpo demo; give "
                "another --data-dir (the demo replaces its folder's contents)"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
