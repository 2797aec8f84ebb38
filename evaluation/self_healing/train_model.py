"""The model the predictive arm uses, trained on another simulated network first, by the code
paths of ``cpo simulate``, ``cpo pipelines run`` and ``cpo models train``."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.sim.context import SimSettings
from models.fault.report import card_lines
from models.fault.train import TrainOptions, train
from pipelines.launch import run as run_pipelines
from pipelines.warehouse.layout import Layout
from workbench.runs.simulate import Say, SimulateJob, load_profile, run_simulation


def train_network(settings: SimSettings, say: Say, horizon_h: int = 24) -> Path:
    """Simulate ``settings`` into its data folder (emptied first), build it, train; the folder."""
    data = settings.data_dir
    shutil.rmtree(data, ignore_errors=True)
    say(f"training network: simulating into {data}")
    run_simulation(SimulateJob(settings, load_profile(None)), say)
    say("training network: pipelines")
    summary = run_pipelines(data, progress=say)
    if not summary.ok:
        raise RuntimeError(f"pipelines failed on {data}: {summary}")
    say("training network: training the fault model")
    trained = train(data, Layout(data).marts, TrainOptions(horizon_h=horizon_h))
    for line in card_lines(trained.card):
        say(f"  {line}")
    say(f"saved {trained.folder}")
    return data
