"""Prove self-healing: the same simulated network and seed, run with the loop off, on with rule
triggers only (a hardware fault opens a ticket: reactive dispatch), on with the fault model's
alerts sending resets too, and on with alerts routed to a technician opening a ticket before
onset (predictive dispatch); then the same pipelines, then the same KPIs side by side (plus what
only the simulator knows). Every arm has the same simulated field service
(``ingest.sim.field_service``): it takes the tickets the loop hands over."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from evaluation.self_healing.live_features import LiveFeatures
from evaluation.self_healing.measure import measure
from evaluation.self_healing.predictive import LivePredictor
from evaluation.self_healing.simulated_loop import SimulatedHealing
from ingest.data_folder import DataFolder
from ingest.sim.context import SimSettings
from ingest.sim.field_contract import FieldService
from ingest.sim.profile import load_default
from models.healing.policy import PolicyConfig
from models.healing.routing import DEFAULT_ROUTER, Router
from pipelines.launch import run as run_pipelines
from workbench.runs.replay import run_async
from workbench.runs.simulate import Say, SimulateJob, network_of, simulate

Arm = Literal["off", "rules", "model", "dispatch"]
ARMS: tuple[Arm, ...] = ("off", "rules", "model", "dispatch")
MODEL_ARMS: tuple[Arm, ...] = ("model", "dispatch")
FOLDERS: dict[Arm, str] = {"off": "healing_off", "rules": "healing_on", "model": "healing_model",
                           "dispatch": "healing_dispatch"}
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
    model_dir: Path | None = None  # a data folder with a trained fault model (None: default)
    every_h: float = 2.0  # simulated hours between the model arms' feature rebuilds
    field_service: FieldService = field(default_factory=FieldService)
    router: Router = DEFAULT_ROUTER  # the dispatch arm's fault-type routing (the one seam)


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
        field_service=opts.field_service,
    )
    predictor = _predictor(opts, arm, settings, say) if arm in MODEL_ARMS else None
    cfg = PolicyConfig(
        act_on_predictions=predictor is not None, dispatch_on_predictions=arm == "dispatch"
    )
    hook = SimulatedHealing(cfg, predictor=predictor, tickets=True) if arm != "off" else None
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


def _predictor(opts: EvalOptions, arm: Arm, settings: SimSettings, say: Say) -> LivePredictor:
    """The live scoring of a model arm; without ``model_dir``, the shipped default model (its
    folder here has no model of its own)."""
    model_dir = opts.model_dir or opts.work / "default_model"
    model_dir.mkdir(parents=True, exist_ok=True)
    scratch = opts.work / f"{FOLDERS[arm]}_live"
    features = LiveFeatures(settings.data_dir, scratch, network_of(settings).to_json())
    router = opts.router if arm == "dispatch" else None
    return LivePredictor(model_dir, features, settings.start, opts.every_h, say, router)
