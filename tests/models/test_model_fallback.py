"""Which model scores: the data folder's own once trained with enough fault onsets, the shipped
default until then, and the predictions and ``cpo models`` say which."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from models.errors import NotEnoughDataError
from models.fault import store
from models.fault.score import score_latest
from models.fault.split import MIN_TRAIN_ONSETS
from models.fault.train import TrainOptions, train
from tests.models.test_fault_model import synthetic
from workbench.cli import app


def _marts(data: Path, features: pl.DataFrame) -> Path:
    """A warehouse's failure marts from synthetic features (labels: a fault 3 h after)."""
    marts = data / "warehouse" / "marts"
    marts.mkdir(parents=True)
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
    at = pl.Datetime("us", "UTC")
    faults = pl.Schema({"charge_point_id": pl.String(), "start_at": at, "end_at": at})
    pl.DataFrame(schema=faults).with_columns(error_code=pl.lit(None, pl.String)).write_parquet(
        marts / "faults.parquet"
    )
    return marts


def _few_onsets() -> pl.DataFrame:
    """Faults on three chargers only: a handful of onsets in the training weeks."""
    df = synthetic(seed=4)
    keep = pl.col("charge_point_id").is_in(["CP00", "CP01", "CP02"])
    return df.with_columns(pl.col("fault_within_h") & keep)


def test_a_folder_without_a_model_scores_with_the_default(tmp_path: Path) -> None:
    """The synthetic features lack most of the default's columns and add one it never saw
    (``noise``): missing ones are NaN, the extra one is ignored."""
    marts = _marts(tmp_path, synthetic(seed=3))
    scored = score_latest(tmp_path, marts)
    assert scored.height == 40
    assert scored["model_source"].unique().to_list() == ["default"]
    assert scored["model_version"][0] == store.load_default()[1]["version"]
    assert scored["probability"].is_between(0.0, 1.0).all()


def test_own_model_takes_precedence_once_trained(tmp_path: Path) -> None:
    marts = _marts(tmp_path, synthetic(seed=3))
    trained = train(tmp_path, marts, TrainOptions())
    assert trained.card["source"] == "own"
    assert trained.card["train_onsets"] >= MIN_TRAIN_ONSETS
    scored = score_latest(tmp_path, marts)
    assert scored["model_source"].unique().to_list() == ["own"]
    assert scored["model_version"][0] == trained.folder.name


def test_too_few_onsets_keep_the_default(tmp_path: Path) -> None:
    marts = _marts(tmp_path, _few_onsets())
    with pytest.raises(NotEnoughDataError, match=r"fewer than the 30.*keeps the shipped default"):
        train(tmp_path, marts, TrainOptions())
    assert not store.has_own(tmp_path)
    assert score_latest(tmp_path, marts)["model_source"][0] == "default"


def test_cli_says_it_in_one_line(tmp_path: Path) -> None:
    _marts(tmp_path, _few_onsets())
    runner = CliRunner()
    result = runner.invoke(app, ["models", "train", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "keeps the shipped default model" in lines[0]
    assert "Traceback" not in result.output
    scored = runner.invoke(app, ["models", "score", "--data-dir", str(tmp_path)])
    assert scored.exit_code == 0, scored.output
    assert "(default: shipped" in scored.output
