"""Scoring with a trained model: each charger's latest COMPLETE hour, never the hour the
features were built in (its counts are partial; the model learned on whole hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from models.fault.score import score_latest
from models.fault.train import TrainOptions, train
from tests.models.test_fault_model import synthetic

pytestmark = pytest.mark.slow  # a module fixture trains a model


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, datetime]:
    """A model trained on synthetic marts; the features' last hour is the running one."""
    data = tmp_path_factory.mktemp("data")
    marts = data / "warehouse" / "marts"
    marts.mkdir(parents=True)
    features = synthetic(seed=3)
    labels = features.select(
        "charge_point_id",
        "feature_at",
        pl.when("fault_within_h")
        .then(pl.col("feature_at") + timedelta(hours=3))
        .alias("next_fault_start_at"),
        "fault_within_h",
    )
    features.drop("fault_within_h", "hours_to_next_fault").write_parquet(
        marts / "failure_features.parquet"
    )
    labels.write_parquet(marts / "failure_labels.parquet")
    pl.DataFrame(
        schema={
            "charge_point_id": pl.String,
            "start_at": pl.Datetime("us", "UTC"),
            "end_at": pl.Datetime("us", "UTC"),
            "error_code": pl.String,
        }
    ).write_parquet(marts / "faults.parquet")
    train(data, marts, TrainOptions())
    last: datetime = features["feature_at"].max()  # type: ignore[assignment]
    return data, marts, last


@pytest.mark.slow
def test_scores_each_chargers_last_complete_hour(trained: tuple[Path, Path, datetime]) -> None:
    data, marts, last = trained
    scored = score_latest(data, marts)
    assert scored.height == 40  # one row per charger
    assert scored["feature_at"].unique().to_list() == [last - timedelta(hours=1)]
    assert scored["probability"].is_between(0.0, 1.0).all()


def test_until_names_the_last_complete_hour(trained: tuple[Path, Path, datetime]) -> None:
    """The live A/B arm rebuilt the features up to t on the hour: every row is complete."""
    data, marts, last = trained
    assert score_latest(data, marts, until=last)["feature_at"].unique().to_list() == [last]
    two = score_latest(data, marts, hours=2, until=last)
    assert sorted(two["feature_at"].unique().to_list()) == [last - timedelta(hours=1), last]
    before = datetime(2020, 1, 1, tzinfo=UTC)
    assert score_latest(data, marts, until=before).height == 0
