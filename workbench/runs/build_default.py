"""The steps of ``cpo models build-default``: simulate a large network, build its warehouse,
fit the fault model, write it into the package as the shipped default."""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingest.sim.context import SimSettings
from models.fault import default_model
from models.fault.report import card_lines
from models.fault.train import TrainOptions, fit
from pipelines.launch import run as run_pipelines
from pipelines.warehouse.layout import Layout
from workbench.runs.simulate import Say, SimulateJob, load_profile, run_simulation

START = "2026-01-01"


@dataclass(frozen=True)
class DefaultBuild:
    """Every option of the build, recorded in the card; the defaults are the shipped model's.

    100 chargers over 60 days at 30x the fitted fault rate: about 60 fault onsets in the
    training weeks and 19 in the test weeks (bench/README.md, "Fault model"), in ~8 min on 2
    idle cores (twice that on a loaded machine)."""

    sites: int = 12
    chargers: int = 100
    days: float = 60.0
    seed: int = 7
    faults: float = 30.0
    horizon: int = 24
    budget: float = 2.0

    def command(self) -> str:
        opts = " ".join(f"--{k} {v:g}" for k, v in asdict(self).items())
        return f"cpo models build-default {opts}"

    def settings(self, data_dir: Path) -> SimSettings:
        start = datetime.fromisoformat(START).replace(tzinfo=UTC).timestamp()
        return SimSettings(
            data_dir=data_dir,
            sites=self.sites,
            chargers=self.chargers,
            days=self.days,
            seed=self.seed,
            start=start,
            fault_scale=self.faults,
        )


def build_default(build: DefaultBuild, work: Path, out: Path, say: Say) -> Path:
    """Simulate into ``work/data`` (emptied first; kept after, for a look), build, fit, write."""
    began = time.monotonic()
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    say(f"build-default: simulating into {data}")
    run_simulation(SimulateJob(build.settings(data), load_profile(None)), say)
    say("build-default: pipelines")
    summary = run_pipelines(data, progress=say)
    if not summary.ok:
        raise RuntimeError(f"pipelines failed on {data}: {summary}")
    say("build-default: training the fault model")
    marts = Layout(data.resolve()).marts
    options = TrainOptions(horizon_h=build.horizon, budget_per_100_chargers=build.budget)
    result = fit(data.resolve(), marts, options, min_onsets=1)
    record = {
        "command": build.command(),
        "options": {**asdict(build), "start": START},
        "seconds": round(time.monotonic() - began, 1),
    }
    faults = pl.read_parquet(marts / "faults.parquet")
    folder = default_model.write(result, faults, record, out)
    for line in card_lines(default_model.read_card(folder)):
        say(f"  {line}")
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in sorted(folder.iterdir()))
    say(f"wrote {folder} ({sizes}) in {record['seconds']:.0f} s; reproduce: {build.command()}")
    return folder
