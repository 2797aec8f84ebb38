"""The four-arm A/B harness on a tiny network: off, rules, rules + model resets and + predictive
dispatch run on the same network and seed, each through a real CSMS, its pipelines and its
measurement, and the cross-arm figures fill every column of the headline table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from evaluation.self_healing.arms import ARMS, FOLDERS, PREDICTIONS, EvalOptions, run_arm
from evaluation.self_healing.field_figures import HEADLINE, SAVED, field_figures
from evaluation.self_healing.ticket_counts import ticket_counts
from ingest.data_folder import DataFolder
from ingest.sim.field_contract import FieldService

pytestmark = [
    pytest.mark.slow,  # four simulations, two with live scoring, four pipeline runs
    pytest.mark.timeout(900),  # about 2.5 min alone; much more on a loaded machine
]


def test_the_four_arms_run_on_the_same_network_and_fill_the_table(tmp_path: Path) -> None:
    opts = EvalOptions(tmp_path, sites=1, chargers=2, days=0.5, seed=11, fault_scale=20.0,
                       every_h=4.0, field_service=FieldService(response_median_h=6.0))
    results = {arm: run_arm(opts, arm, lambda _: None) for arm in ARMS}
    for arm in ARMS:
        results[arm] |= ticket_counts(tmp_path / FOLDERS[arm])
    field_figures(results)
    assert list(results) == ["off", "rules", "model", "dispatch"]
    for arm, r in results.items():
        missing = [k for k in HEADLINE if k not in r]
        assert missing == [], f"{arm} lacks {missing}"
        assert r["resets during energy delivery (truth)"] == 0
        assert r["truck rolls, useful (truth)"] + r["truck rolls, wasted (truth)"] == (
            r["truck rolls (truth)"])
    assert results["off"][SAVED] == pytest.approx(0.0, abs=1e-9)
    assert results["off"]["truck rolls (truth)"] == 0  # no loop, no tickets, no van
    # Same network and seed: the same sessions' demand drawn, the same chargers registered.
    networks = {(tmp_path / FOLDERS[a] / "sim" / "network.json").read_text() for a in ARMS}
    assert len(networks) == 1
    # Only the dispatch arm acts on routes (the shipped model routes in both: its router
    # rides in it), and the dispatch arm's rule router routes every scored charger.
    scored = {a: pl.read_parquet(DataFolder(tmp_path / FOLDERS[a]).sim / PREDICTIONS)
              for a in ("model", "dispatch")}
    assert results["model"]["tickets on an alert routed to a technician (predictive)"] == 0
    assert set(scored["dispatch"]["route"].drop_nulls()) <= {"technician", "reset"}
    assert scored["dispatch"]["route"].null_count() == 0
