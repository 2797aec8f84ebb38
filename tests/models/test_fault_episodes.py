"""Episode-level metrics on a hand-made example, every figure computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from models.fault import episodes, oracle


def at(day: int, hour: float) -> datetime:
    return datetime(2026, 1, day, int(hour), round(hour % 1 * 60), tzinfo=UTC)


EPISODES = pl.DataFrame(
    {
        "charge_point_id": ["A", "B", "A"],
        "start_at": [at(1, 12), at(3, 20), at(3, 6)],
        "precursor_start": [at(1, 0), at(3, 10), at(3, 6)],
        "regime": ["gradual", "gradual", "sudden"],
    }
).cast(episodes.EPISODE_SCHEMA)  # type: ignore[arg-type]
WINDOWS = pl.DataFrame(
    {
        "charge_point_id": ["A", "B", "B"],
        "precursor_start": [at(1, 0), at(3, 10), at(1, 2)],  # the last: a near miss
        "start_at": [at(1, 12), at(3, 20), at(1, 8)],
    }
).cast(episodes.WINDOW_SCHEMA)  # type: ignore[arg-type]
ALERTS = pl.DataFrame(
    {
        "charge_point_id": ["A", "B", "A", "C", "B"],
        # A 10 h ahead; B inside its near miss (nothing follows in 48 h); A 27 h before its
        # sudden fault; C false; B 0.5 h before onset: inside the window, too late to count
        "alert_at": [at(1, 2), at(1, 5), at(2, 3), at(2, 9), at(3, 19.5)],
    }
).cast({"alert_at": pl.Datetime("us", "UTC")})


def result(regime: str) -> episodes.EpisodeResult:
    counted = EPISODES.filter(pl.col("regime") == regime)
    return episodes.episode_metrics(ALERTS, EPISODES, WINDOWS, counted, days=3, chargers=3)


def test_gradual_recall_precision_and_lead_by_hand() -> None:
    r = result("gradual")
    assert r.alerts == 5
    assert r.precision == pytest.approx(4 / 5)  # all but C's
    assert (r.episodes, r.caught) == (2, 1)  # B's only alert in time came 63 h ahead: too early
    assert r.recall == pytest.approx(0.5)
    assert r.median_lead_h == pytest.approx(10.0)
    assert r.alerts_per_day_per_100 == pytest.approx(5 / 3 * 100 / 3)


def test_sudden_fault_caught_only_by_an_alert_that_happened_to_precede_it() -> None:
    r = result("sudden")
    assert (r.episodes, r.caught) == (1, 1)
    assert r.median_lead_h == pytest.approx(27.0)


def test_alerts_rearm_after_a_day_and_the_daily_cap_keeps_the_first_in_time() -> None:
    keys = pl.DataFrame(
        {
            "charge_point_id": ["A", "B", "C", "A", "C", "A", "C"],
            "feature_at": [at(1, 9), at(1, 3), at(1, 5), at(2, 1), at(2, 2), at(2, 4), at(2, 6)],
        }
    ).with_columns(pl.col("feature_at").dt.date().alias("day"))
    p = np.array([0.9, 0.6, 0.95, 0.2, 0.7, 0.8, 0.9])
    # over 0.5: B 1-03, C 1-05, A 1-09, C 2-02, A 2-04, C 2-06. Uncapped: C again only 24 h
    # after 1-05 (2-06); A's 2-04 is 19 h after 1-09
    assert episodes.alerts(keys, p, threshold=0.5).rows() == [
        ("B", at(1, 3)), ("C", at(1, 5)), ("A", at(1, 9)), ("C", at(2, 6))
    ]
    # two a day: A's 1-09 is not raised, so A may alert on day 2 (2-04), and C at 2-06
    capped = episodes.alerts(keys, p, threshold=0.5, cap_per_day=2)
    assert capped.rows() == [("B", at(1, 3)), ("C", at(1, 5)), ("A", at(2, 4)), ("C", at(2, 6))]


def test_truth_regimes_and_windows() -> None:
    truth = pl.DataFrame(
        {
            "kind": ["fault", "fault", "near_miss", "fault"],
            "charge_point_id": ["A", "B", "B", "C"],
            "fault_type": ["power_module", "firmware_hang", "ground_fault", "transient_trip"],
            "precursor_start": [at(1, 0), at(2, 5.5), at(1, 1), at(1, 4)],
            "start": [at(1, 12), at(2, 6), at(1, 9), at(1, 4)],
        }
    )
    found, windows = episodes.from_truth(truth)
    assert found.sort("charge_point_id")["regime"].to_list() == ["gradual", "sudden"]
    assert windows.height == 2  # A's window and B's near miss; B's 30-minute one is no window


def test_phase_oracle_and_labels_at_horizons() -> None:
    keys = pl.DataFrame(
        {
            "charge_point_id": ["A", "A", "A", "B"],
            "feature_at": [at(1, 3), at(1, 9), at(1, 13), at(4, 0)],
            "next_fault_start_at": [at(1, 12), at(1, 12), None, None],
        }
    ).cast({"next_fault_start_at": pl.Datetime("us", "UTC")})
    np.testing.assert_allclose(oracle.phase(keys, WINDOWS), [0.25, 0.75, 0.0, 0.0])
    y, known = oracle.labels_at(keys, 24)
    assert y.tolist() == [1, 1, 0, 0]
    assert known.tolist() == [True, True, True, False]  # B: its 24 h run past the last hour
    _y72, known72 = oracle.labels_at(keys, 72)
    assert known72.tolist() == [True, True, False, False]
