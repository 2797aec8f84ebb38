"""Prove self-healing: the same simulated network and seed, run with the loop off, on with rule
triggers only, and on with the fault model's alerts too; then the same pipelines, then the same
KPIs side by side (plus what only the simulator knows)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from evaluation.self_healing.live_features import LiveFeatures
from evaluation.self_healing.measure import measure
from evaluation.self_healing.predictive import LivePredictor
from evaluation.self_healing.simulated_loop import SimulatedHealing
from ingest.data_folder import DataFolder
from ingest.sim.context import SimSettings
from ingest.sim.profile import load_default
from models.healing.policy import PolicyConfig
from pipelines.launch import run as run_pipelines
from workbench.runs.replay import run_async
from workbench.runs.simulate import Say, SimulateJob, network_of, simulate

Arm = Literal["off", "rules", "model"]
ARMS: tuple[Arm, ...] = ("off", "rules", "model")
FOLDERS: dict[Arm, str] = {"off": "healing_off", "rules": "healing_on", "model": "healing_model"}
# In the model arm's sim folder: every score it produced, and the feature rows it scored.
PREDICTIONS, FEATURES = "live_predictions.parquet", "live_features.parquet"


@dataclass(frozen=True)
class EvalOptions:
    work: Path
    sites: int = 6
    chargers: int = 40
    days: float = 30.0
    seed: int = 11
    fault_scale: float = 5.0
    model_dir: Path | None = None  # a data folder with a trained fault model (the model arm)
    every_h: float = 2.0  # simulated hours between the model arm's feature rebuilds


def run_arm(opts: EvalOptions, arm: Arm, say: Say) -> dict[str, Any]:
    """Simulate one arm, build its warehouse, and measure it (wall times included)."""
    started = time.perf_counter()
    data = opts.work / FOLDERS[arm]
    shutil.rmtree(data, ignore_errors=True)
    settings = SimSettings(
        data_dir=data,
        sites=opts.sites,
        chargers=opts.chargers,
        days=opts.days,
        seed=opts.seed,
        fault_scale=opts.fault_scale,
    )
    predictor = _predictor(opts, settings, say) if arm == "model" else None
    cfg = PolicyConfig(act_on_predictions=predictor is not None)
    hook = SimulatedHealing(cfg, predictor=predictor) if arm != "off" else None
    job = SimulateJob(settings, load_default(), node_id="eval", api=True, during=hook)

    async def go() -> None:
        try:
            await simulate(job, say)
        finally:
            if hook is not None:
                await hook.close()

    run_async(go())
    simulated = time.perf_counter()
    if predictor is not None and predictor.scored:
        sim = DataFolder(data).sim
        pl.concat(predictor.scored).write_parquet(sim / PREDICTIONS)
        pl.concat(predictor.inputs).write_parquet(sim / FEATURES)
    say(f"{arm}: simulated in {simulated - started:.0f} s; building the warehouse")
    summary = run_pipelines(data, progress=lambda _: None)
    if not summary.ok:
        raise RuntimeError(f"pipelines failed on {data}: {summary}")
    out = measure(data)
    out["wall time, simulation (s)"] = round(simulated - started, 1)
    out["wall time, pipelines (s)"] = round(time.perf_counter() - simulated, 1)
    if predictor is not None:
        cost = predictor.cost()
        out["model refreshes"] = int(cost["refreshes"])
        out["model wall time in the run (s)"] = round(cost["seconds"], 1)
        out["model wall time per refresh (s, max)"] = round(cost["max_s"], 2)
    return out


def _predictor(opts: EvalOptions, settings: SimSettings, say: Say) -> LivePredictor:
    if opts.model_dir is None:
        raise ValueError("the model arm needs model_dir: a data folder with a trained fault model")
    scratch = opts.work / f"{FOLDERS['model']}_live"
    features = LiveFeatures(settings.data_dir, scratch, network_of(settings).to_json())
    return LivePredictor(opts.model_dir, features, settings.start, opts.every_h, say)
