"""The fault schedule: precursor windows of long faults survive the self-clearing trips between
them, and near misses still happen at training fault rates."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from ingest.sim.faults import PRECURSOR_MIN_H, Fault, Precursors, draw_faults
from ingest.sim.profile import load_default

DAY = 86400.0


def _schedule(scale: float, seed: int, precursors: Precursors | None = None) -> list[Fault]:
    p = load_default().faults
    scaled = replace(p, faults_per_charger_day=p.faults_per_charger_day * scale)
    return draw_faults(
        np.random.default_rng(seed), scaled, 0.0, 120 * DAY, 2, precursors or Precursors()
    )


def test_long_fault_windows_are_not_cut_by_trips() -> None:
    longs = [f for seed in range(40) for f in _schedule(30.0, seed)
             if f.type.share and not f.near_miss]
    assert len(longs) >= 20
    windows_h = np.array([(f.start - f.precursor_start) / 3600.0 for f in longs])
    # Only a previous long fault (or the start of the run) may cut a window short.
    assert np.median(windows_h) >= PRECURSOR_MIN_H
    assert (windows_h >= PRECURSOR_MIN_H).mean() > 0.8


def test_episodes_do_not_overlap_and_near_misses_exist() -> None:
    near_misses = 0
    for seed in range(40):
        schedule = _schedule(30.0, seed)
        episodes = sorted((f for f in schedule if not f.near_miss), key=lambda f: f.start)
        for before, after in pairwise(episodes):
            assert after.start >= before.end
        near_misses += sum(f.near_miss for f in schedule)
    assert near_misses >= 5


def _long(precursors: Precursors) -> list[Fault]:
    return [f for seed in range(40) for f in _schedule(30.0, seed, precursors) if f.type.share]


def test_precursor_knobs_shape_the_windows() -> None:
    def median_window_h(faults: list[Fault]) -> float:
        return float(np.median([(f.start - f.precursor_start) / 3600.0 for f in faults]))

    default, short = _long(Precursors()), _long(Precursors(median_h=12.0))
    assert median_window_h(short) < 0.6 * median_window_h(default)
    assert not any(f.near_miss for f in _long(Precursors(near_miss_share=0.0)))
    assert any(f.near_miss for f in default)


def test_ramp_sets_how_early_the_signal_shows() -> None:
    """Halfway through its window a quadratic ramp is at 1/4 of full intensity, a linear at 1/2."""
    f = Fault(_long(Precursors())[0].type, 0.0, 100.0, 200.0, 1)
    assert f.intensity(50.0) == pytest.approx(0.25)
    assert replace(f, ramp=1.0).intensity(50.0) == pytest.approx(0.5)
    assert replace(f, ramp=1.0).intensity(100.0) == 0.0  # onset: the fault itself, not a sign


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [({"median_h": 0.5}, "1 to 240"), ({"near_miss_share": 1.5}, "0 to 1"), ({"ramp": 9}, "0.25")],
)
def test_precursor_knobs_refuse_nonsense(kwargs: dict[str, float], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Precursors(**kwargs)
