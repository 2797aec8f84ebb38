"""Time-based split: train on the earlier weeks, choose on the next, test on the latest.

Never random: neighbouring hours of one charger are nearly the same row, so a random split would
test on near-copies of training rows. A gap of H hours separates the parts, because a row's label
looks H hours ahead, into the next part's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from models.errors import NotEnoughDataError
from models.fault.dataset import Frame

# An operator's own model replaces the shipped default only when its training weeks hold at
# least this many fault onsets: the default learnt from about 60, and a model from a handful
# learns the few chargers that failed rather than the precursors.
MIN_TRAIN_ONSETS = 30


@dataclass(frozen=True)
class Split:
    train: Frame
    valid: Frame
    test: Frame
    boundaries: tuple[datetime, datetime]  # valid starts at [0], test at [1]


def time_split(frame: Frame, horizon_h: int, shares: tuple[float, float] = (0.6, 0.2)) -> Split:
    times = frame.keys["feature_at"].to_numpy()
    start, end = times.min(), times.max()
    span = end - start
    valid_at = start + span * shares[0]
    test_at = start + span * (shares[0] + shares[1])
    gap = np.timedelta64(timedelta(hours=horizon_h))
    train = times < valid_at - gap
    valid = (times >= valid_at) & (times < test_at - gap)
    test = times >= test_at
    split = Split(
        frame.rows(train), frame.rows(valid), frame.rows(test), (_py(valid_at), _py(test_at))
    )
    for name, part in (("train", split.train), ("validation", split.valid), ("test", split.test)):
        if part.y.sum() < 2:
            raise NotEnoughDataError(
                f"the {name} weeks hold {int(part.y.sum())} fault-onset hours: simulate or collect "
                "more days (or raise the fault rate: `cpo simulate --faults 3`)"
            )
    return split


def onsets(frame: Frame) -> int:
    """Distinct fault onsets (charger, next fault start) among a part's positive hours; without
    onset times, the positive hours."""
    if "next_fault_start_at" not in frame.keys.columns:
        return int(frame.y.sum())
    positive = frame.keys.filter(pl.Series(frame.y == 1))
    return positive.select("charge_point_id", "next_fault_start_at").unique().height


def require_onsets(split: Split, minimum: int = MIN_TRAIN_ONSETS) -> None:
    n = onsets(split.train)
    if n < minimum:
        raise NotEnoughDataError(
            f"the training weeks hold {n} fault onsets, fewer than the {minimum} a model "
            "trained here needs (simulate or collect more days)"
        )


def _py(value: np.datetime64) -> datetime:
    return datetime.fromisoformat(str(np.datetime_as_string(value, unit="s")) + "+00:00")
