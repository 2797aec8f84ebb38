"""The predictive arm of the self-healing A/B, end to end on loopback: a simulated fleet through a
real CSMS, the failure features rebuilt from the lake as it fills (the pipelines' own SQL), scored
by a real sklearn model saved with ``models.fault.store``, and the model's alert turned into a
self-healing Reset whose ``commands`` row says why; the reset lands in the precursor window of a
curable fault and the simulator logs the fault as averted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sklearn.linear_model import LogisticRegression

from evaluation.self_healing.live_features import Build, LiveFeatures, PeekError
from evaluation.self_healing.predictive import LivePredictor
from evaluation.self_healing.simulated_loop import SimulatedHealing
from ingest.sim.faults import BY_NAME, Fault
from ingest.sim.profile import load_default
from models.fault import store
from models.fault.explain import Explainer
from models.fault.train import FittedModel
from models.healing.policy import PolicyConfig
from tests.workbench.sim_helpers import query, settings, truth
from workbench.runs.replay import run_async
from workbench.runs.simulate import SimulateJob, network_of, simulate

pytestmark = pytest.mark.slow  # module fixtures that build a lake

HOUR = 3600.0
EVERY_H = 2.0


class RecordingFeatures(LiveFeatures):
    """Keeps a copy of what each rebuild published (the features the model scored)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.published: list[tuple[Build, pl.DataFrame]] = []

    def build(self, t: float) -> Build:
        done = super().build(t)
        self.published.append((done, pl.read_parquet(self.features_file)))
        return done


@dataclass
class Run:
    data: Path
    start: float
    alerting: str  # the one charger the model alerts on
    others: list[str]
    network_json: str
    features: RecordingFeatures
    predictor: LivePredictor


def _model(folder: Path, ages: dict[str, int], alerting: str) -> None:
    """Logistic regression on the charger's age: only the oldest charger scores over threshold."""
    x = np.array([[float(a)] for a in ages.values()])
    y = np.array([int(cp == alerting) for cp in ages])
    lr = LogisticRegression().fit(x, y)
    p = lr.predict_proba(x)[:, 1]
    threshold = float((p[y == 1].min() + p[y == 0].max()) / 2)
    explainer = Explainer(["charger_age_days"], [float(x.mean())], [float(x.std())], [1.0])
    categories: dict[str, list[str]] = {"vendor": [], "model": [], "kind": []}
    fitted = FittedModel(lr, explainer, ["charger_age_days"], categories, threshold, 24)
    store.save(folder, fitted, {"model": "logistic_regression", "horizon_h": 24}, "<html/>")


@pytest.fixture(scope="module")
def predictive_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("predictive")
    s = settings(root / "arm", chargers=3, sites=1, days=0.5, demand_scale=0.0)
    network = network_of(s)
    ages = {c.id: c.installed_days_ago for c in network.chargers}
    alerting = max(ages, key=lambda cp: ages[cp])
    _model(root / "trained", ages, alerting)
    # A firmware hang building on the alerting charger from hour 1, due at hour 10: a reset in
    # between averts it. No other faults, so no rule trigger competes with the model.
    onset = s.start + 10 * HOUR
    hang = Fault(BY_NAME["firmware_hang"], s.start + HOUR, onset, onset + 30 * HOUR, 1)
    faults = {cp: ([hang] if cp == alerting else []) for cp in ages}
    features = RecordingFeatures(s.data_dir, root / "live", network.to_json())
    predictor = LivePredictor(root / "trained", features, s.start, EVERY_H, say=lambda _: None)
    hook = SimulatedHealing(PolicyConfig(act_on_predictions=True), predictor=predictor)
    job = SimulateJob(s, load_default(), node_id="eval", api=True, during=hook, faults=faults)

    async def go() -> None:
        try:
            await simulate(job, lambda _: None)
        finally:
            await hook.close()

    run_async(go())
    others = sorted(cp for cp in ages if cp != alerting)
    return Run(s.data_dir, s.start, alerting, others, network.to_json(), features, predictor)


def test_a_model_alert_sends_a_predicted_reset_that_averts_the_fault(predictive_run: Run) -> None:
    r = predictive_run
    assert len(r.predictor.refreshes) >= 5  # every 2 simulated hours over 12
    first = r.predictor.scored[0]
    assert first["charge_point_id"].sort().to_list() == sorted([r.alerting, *r.others])
    alerts = dict(first.select("charge_point_id", "alert").iter_rows())
    assert alerts == {r.alerting: True, **{cp: False for cp in r.others}}
    rows = query(
        r.data,
        "commands",
        "select charge_point_id, action, reason, status, epoch(requested_at) from {t} "
        "where requested_by = 'self_healing' order by requested_at",
    )
    assert [(cp, action, status) for cp, action, _, status, _ in rows] == [
        (r.alerting, "Reset", "Accepted"),
        (r.alerting, "Outcome", "cured"),  # verified 30 min later: connected, nothing Faulted
    ]
    reason = json.loads(rows[0][2])
    assert reason["trigger"] == "predicted"
    scored = first.filter(pl.col("charge_point_id") == r.alerting).row(0, named=True)
    assert reason["probability"] == round(scored["probability"], 4)
    top = json.loads(reason["top_features"])
    assert [f["feature"] for f in top] == ["charger_age_days"]
    # Sent at the first refresh (hour 2), acted on once: the alert stays on all run long.
    assert rows[0][4] == pytest.approx(r.start + EVERY_H * HOUR, abs=60)
    assert all(
        s.filter(pl.col("charge_point_id") == r.alerting)["alert"].item()
        for s in r.predictor.scored
    )
    averted = truth(r.data, "kind = 'averted'")
    assert [(a["charge_point_id"], a["fault_type"], a["ended_by"]) for a in averted] == [
        (r.alerting, "firmware_hang", "reset")
    ]
    assert truth(r.data, "kind = 'fault'") == []


def test_features_at_t_hold_nothing_after_t(predictive_run: Run, tmp_path: Path) -> None:
    r = predictive_run
    assert len(r.features.published) == len(r.predictor.refreshes)
    for build, frame in r.features.published:
        t = build.at
        assert build.lake_until is not None
        assert build.lake_until <= t  # the lake held nothing stamped after t
        last = frame["feature_at"].max()
        assert isinstance(last, datetime)
        assert t - timedelta(hours=1) < last <= t  # complete hours only: up to t, not beyond
        assert frame["charge_point_id"].n_unique() == 3
    # A build at the end of the run, over the whole lake, has later rows, yet the hours the
    # first rebuild saw come out the same: they depended on nothing after their time.
    first_build, first = r.features.published[0]
    final = LiveFeatures(r.data, tmp_path / "final", r.network_json)
    final.build(r.start + 12 * HOUR)
    later = pl.read_parquet(final.features_file)
    assert later["feature_at"].max() > first_build.at
    same_hours = later.filter(pl.col("feature_at") <= first_build.at)
    assert_frame_equal(
        same_hours.sort("charge_point_id", "hour"), first.sort("charge_point_id", "hour")
    )
    # And a rebuild asked for an earlier t over a lake that has moved on refuses to run.
    with pytest.raises(PeekError):
        LiveFeatures(r.data, tmp_path / "late").build(first_build.at.timestamp())
