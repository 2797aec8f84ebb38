"""The fault schedule: precursor windows of long faults survive the self-clearing trips between
them, and near misses still happen at training fault rates."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np

from ingest.sim.faults import PRECURSOR_MIN_H, Fault, draw_faults
from ingest.sim.profile import load_default

DAY = 86400.0


def _schedule(scale: float, seed: int) -> list[Fault]:
    p = load_default().faults
    scaled = replace(p, faults_per_charger_day=p.faults_per_charger_day * scale)
    return draw_faults(np.random.default_rng(seed), scaled, 0.0, 120 * DAY, 2)


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
