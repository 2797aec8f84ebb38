"""Per fault episode, what an operator sees at a fixed alert budget: which faults were announced
in time, how many alerts were worth a look, and how long ahead.

- An **alert** is a charger's hour over the threshold, then none on that charger for
  ``REARM_H`` (the self-healing policy acts on an alert once per its prediction cooldown, 24 h);
  the day's alerts are kept first come, first served up to the budget (``cap_per_day``): live
  scoring cannot know the day's later scores, so the cap is causal, and the budget holds by
  construction.
- **Episode recall**: the share of long faults with an alert at least ``MIN_LEAD_H`` before onset,
  and no earlier than ``FOLLOW_H`` before it or the start of its precursor window, whichever is
  earlier (an alert a week ahead announced nothing).
- **Alert precision**: the share of alerts followed by an onset within ``FOLLOW_H``, or raised
  inside a precursor window (a near miss's too: the charger did show the signs).
- **Median lead**: onset minus the earliest such alert, over the episodes caught.

Episodes are ``gradual`` (a precursor window of at least ``MIN_LEAD_H``) or ``sudden`` (none by
construction: nothing in the lake can announce them, so their recall at chance is the honest
answer); without the simulator's truth, every fault of the ``faults`` mart is ``unknown``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from models.healing.policy import PolicyConfig

REARM_H = PolicyConfig().prediction_cooldown_s / 3600  # one action per alert and cooldown
MIN_LEAD_H = 1.0  # an alert later than this before onset leaves no time to act
FOLLOW_H = 48.0  # an alert is right if an onset follows within this
GRADUAL, SUDDEN, UNKNOWN = "gradual", "sudden", "unknown"
EPISODE_SCHEMA = {
    "charge_point_id": pl.String,
    "start_at": pl.Datetime("us", "UTC"),
    "precursor_start": pl.Datetime("us", "UTC"),
    "regime": pl.String,
}
_ALERT_SCHEMA = pl.Schema({"charge_point_id": pl.String(), "alert_at": pl.Datetime("us", "UTC")})
WINDOW_SCHEMA = {
    "charge_point_id": pl.String,
    "precursor_start": pl.Datetime("us", "UTC"),
    "start_at": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True)
class EpisodeResult:
    alerts: int
    alerts_per_day_per_100: float
    precision: float | None
    episodes: int
    caught: int
    recall: float | None
    median_lead_h: float | None

    def summary(self) -> dict[str, object]:
        return asdict(self)


def alerts(
    keys: pl.DataFrame,
    p: np.ndarray,
    threshold: float,
    cap_per_day: float | None = None,
    rearm_h: float = REARM_H,
) -> pl.DataFrame:
    """``charge_point_id, alert_at``: the hours over ``threshold`` that raise an alert (a
    charger's first, then none until ``rearm_h`` later), the day's first ``cap_per_day`` of them
    in time order when a cap is given."""
    over = (
        keys.select("charge_point_id", "feature_at")
        .with_columns(pl.Series("p", p))
        .filter(pl.col("p") >= threshold)
        .sort("feature_at", "charge_point_id")
    )
    rearm = timedelta(hours=rearm_h)
    cap = None if cap_per_day is None else int(np.floor(cap_per_day + 1e-9))
    last: dict[str, datetime] = {}
    per_day: dict[object, int] = {}
    kept: list[tuple[str, datetime]] = []
    for cp, at in over.select("charge_point_id", "feature_at").iter_rows():
        if cp in last and at - last[cp] < rearm:
            continue
        if cap is not None and per_day.get(at.date(), 0) >= cap:
            continue  # over the day's budget: not raised, so it does not arm the cooldown
        last[cp] = at
        per_day[at.date()] = per_day.get(at.date(), 0) + 1
        kept.append((cp, at))
    return pl.DataFrame(kept, schema=_ALERT_SCHEMA, orient="row")


def episode_metrics(
    alerted: pl.DataFrame,
    episodes: pl.DataFrame,
    windows: pl.DataFrame,
    counted: pl.DataFrame,
    days: float,
    chargers: int,
) -> EpisodeResult:
    """``alerted``: charge_point_id, alert_at; ``episodes``: every onset (EPISODE_SCHEMA), what
    precision is judged against; ``windows``: every precursor window (faults and near misses);
    ``counted``: the episodes recall and lead are over (one regime, inside the test weeks)."""
    onsets = episodes.select("charge_point_id", "start_at", "precursor_start")
    followed = _followed(alerted, onsets) | _inside(alerted, windows)
    leads = _leads(alerted, counted)
    per_100 = alerted.height / max(days, 1e-9) * 100 / max(chargers, 1)
    return EpisodeResult(
        alerts=alerted.height,
        alerts_per_day_per_100=per_100,
        precision=float(followed.mean()) if alerted.height else None,
        episodes=counted.height,
        caught=len(leads),
        recall=len(leads) / counted.height if counted.height else None,
        median_lead_h=float(np.median(leads)) if leads else None,
    )


def _followed(alerted: pl.DataFrame, onsets: pl.DataFrame) -> np.ndarray:
    """Per alert: an onset within (alert_at, alert_at + FOLLOW_H]."""
    pairs = _pairs(alerted, onsets).filter(
        (pl.col("start_at") > pl.col("alert_at"))
        & (pl.col("start_at") <= pl.col("alert_at") + timedelta(hours=FOLLOW_H))
    )
    return _flag(alerted, pairs)


def _inside(alerted: pl.DataFrame, windows: pl.DataFrame) -> np.ndarray:
    """Per alert: raised inside a precursor window [precursor_start, start_at)."""
    pairs = _pairs(alerted, windows.select("charge_point_id", "precursor_start", "start_at"))
    pairs = pairs.filter(
        (pl.col("alert_at") >= pl.col("precursor_start"))
        & (pl.col("alert_at") < pl.col("start_at"))
    )
    return _flag(alerted, pairs)


def _leads(alerted: pl.DataFrame, episodes: pl.DataFrame) -> list[float]:
    """Hours from the earliest alert in time to each caught episode's onset."""
    earliest = pl.min_horizontal(
        pl.col("start_at") - timedelta(hours=FOLLOW_H),
        pl.col("precursor_start").fill_null(pl.col("start_at")),
    )
    lead_h = (pl.col("start_at") - pl.col("alert_at")).dt.total_seconds() / 3600
    pairs = (
        _pairs(alerted, episodes.select("charge_point_id", "start_at", "precursor_start"))
        .filter((pl.col("alert_at") >= earliest) & (lead_h >= MIN_LEAD_H))
        .group_by("charge_point_id", "start_at")
        .agg(lead_h.max().alias("lead_h"))
    )
    return [float(v) for v in pairs["lead_h"].to_list()]


def _pairs(alerted: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    return alerted.with_row_index("_alert").join(other, on="charge_point_id", how="inner")


def _flag(alerted: pl.DataFrame, pairs: pl.DataFrame) -> np.ndarray:
    hit = np.zeros(alerted.height, dtype=bool)
    hit[pairs["_alert"].unique().to_numpy()] = True
    return hit


def from_truth(truth: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Long-fault episodes (with their regime) and every precursor window, from the simulator's
    truth (``ingest.sim.truth``; evaluation only, never training)."""
    long = truth.filter(pl.col("fault_type") != "transient_trip")
    window_h = (pl.col("start") - pl.col("precursor_start")).dt.total_seconds() / 3600
    sudden = window_h.fill_null(0.0) < MIN_LEAD_H
    if "sudden" in long.columns:  # a simulator that draws sudden faults says so
        sudden = sudden | pl.col("sudden").fill_null(False)
    episodes = long.filter(pl.col("kind") == "fault").select(
        "charge_point_id",
        pl.col("start").alias("start_at"),
        "precursor_start",
        pl.when(sudden).then(pl.lit(SUDDEN)).otherwise(pl.lit(GRADUAL)).alias("regime"),
    )
    windows = long.filter(
        pl.col("kind").is_in(["fault", "near_miss", "averted"]) & ~sudden
    ).select("charge_point_id", "precursor_start", pl.col("start").alias("start_at"))
    return episodes.cast(EPISODE_SCHEMA), windows.cast(WINDOW_SCHEMA)  # type: ignore[arg-type]


def from_faults(faults: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Without truth: the ``faults`` mart's onsets, regime unknown, no precursor windows."""
    episodes = faults.select(
        "charge_point_id",
        "start_at",
        pl.lit(None, pl.Datetime("us", "UTC")).alias("precursor_start"),
        pl.lit(UNKNOWN).alias("regime"),
    ).unique(["charge_point_id", "start_at"])
    return episodes.cast(EPISODE_SCHEMA), pl.DataFrame(schema=WINDOW_SCHEMA)  # type: ignore[arg-type]
