"""The shipped default fault model: its card is what a retrain from its own training matrix
gives, its features are the ones the pipelines build, and scoring uses it until the data folder
has a model of its own."""

from __future__ import annotations

import inspect
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from models.errors import NoModelError
from models.fault import default_model, store
from models.fault.dataset import to_frame
from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn
from workbench.commands.models_default import build_default
from workbench.runs.build_default import DefaultBuild

CARD = default_model.read_card()
REL = 0.02  # BLAS and thread counts may reorder float sums; a real change moves these far more


@pytest.fixture(scope="module")
def retrained() -> default_model.Retrained:
    # One thread: on shared cores OpenMP's threads fight each other (20 s instead of 4 s here).
    with threadpool_limits(1):
        return default_model.retrain()


def test_card_matches_a_retrain_from_the_shipped_matrix(
    retrained: default_model.Retrained,
) -> None:
    model = CARD["test"]["model"]
    assert retrained.model == CARD["model"]
    assert retrained.test_pr_auc == pytest.approx(model["pr_auc"], rel=REL)
    name = CARD["model"]
    assert retrained.validation_pr_auc[name] == pytest.approx(
        CARD["validation_pr_auc"][name], rel=REL
    )
    budget = model["at_budget"]
    assert retrained.at_budget["onsets"] == budget["onsets"]
    # a threshold a hair off may catch or miss one onset at the margin, no more
    assert abs(int(retrained.at_budget["caught"]) - budget["caught"]) <= 1  # type: ignore[call-overload]
    assert retrained.at_budget["threshold"] == pytest.approx(budget["threshold"], rel=REL)


def test_shipped_model_is_the_fit_of_its_matrix(retrained: default_model.Retrained) -> None:
    fitted, _meta, _folder = store.load_default()
    test = default_model.parts()["test"]
    shipped = fitted.predict_proba(test.x)[:, 1]
    np.testing.assert_allclose(retrained.test_p, shipped, rtol=0, atol=0.01)
    assert fitted.columns == test.columns == CARD["features"]


def test_card_records_the_build_and_is_small() -> None:
    assert CARD["source"] == "default"
    assert CARD["version"].startswith("default-")
    options = {k: v for k, v in CARD["build"]["options"].items() if k != "start"}
    assert options == asdict(DefaultBuild())
    assert CARD["build"]["command"] == DefaultBuild().command()
    assert CARD["train_onsets"] >= 30
    sizes = {p.name: p.stat().st_size for p in store.DEFAULT_DIR.iterdir()}
    assert sum(sizes.values()) < 3.5e6, sizes
    for name, rows in CARD["training_matrix"]["rows"].items():
        assert default_model.parts()[name].y.size == rows


def test_command_defaults_are_the_shipped_models() -> None:
    params = inspect.signature(build_default).parameters
    for name, value in asdict(DefaultBuild()).items():
        assert params[name].default == value, name


def test_a_different_sklearn_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "default"
    shutil.copytree(store.DEFAULT_DIR, copy)
    card = json.loads((copy / "model_card.json").read_text())
    (copy / "model_card.json").write_text(json.dumps({**card, "sklearn_version": "0.1"}))
    monkeypatch.setattr(store, "DEFAULT_DIR", copy)
    with pytest.raises(NoModelError, match=r"scikit-learn 0\.1.*cpo models build-default"):
        store.load_default()


def test_default_features_are_what_the_pipelines_build(tmp_path: Path) -> None:
    """failure_features' SQL on a one-charger warehouse: the columns training would derive."""
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    charger = {"charge_point_id": "CP1", "site_id": "S1", "rated_kw": 50, "connectors": 1}
    put(
        conn,
        "dim_chargers",
        [
            {
                **charger,
                "kind": "DC",
                "vendor": "V",
                "model": "M",
                "installed_at": utc("2026-01-20 00:00"),
            }
        ],
    )
    put(
        conn,
        "stg_activity",
        [
            {
                "charge_point_id": "CP1",
                "hour": utc("2026-01-30 08:00"),
                "frames_in": 10,
                "max_gap_s": 300,
                "first_in": utc("2026-01-30 08:00"),
                "last_in": utc("2026-01-30 08:59"),
            }
        ],
    )
    build(conn, "sessions", DEFS / "sessions")
    for name in ("usage_ports", "charge_attempts"):
        build(conn, name, DEFS / "usage")
    build(conn, "faults", DEFS / "failures")
    build(conn, "failure_features", DEFS / "failures")
    features = conn.sql("SELECT * FROM failure_features").pl()
    assert features.height > 0
    fitted, _meta, _folder = store.load_default()
    assert to_frame(features, None, fitted.categories).columns == fitted.columns
