"""The fault model inside a simulation: every ``every_h`` simulated hours, flush the CSMS node's
lake, rebuild the failure features from it (``live_features``), score them with a model trained
beforehand on another network (``models.fault.score.score_latest``, the model read by
``models.fault.store`` from ``model_dir``), and publish the predictions mart that the
self-healing loop reads (``models.healing.loop.scores_from``), as ``cpo models score`` and
``cpo self-heal run`` do on a live network.

The simulation waits while this runs (the hook is awaited before the fleet acts at ``t``), so a
rebuild's cost is simulated time standing still, not stale features.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from evaluation.self_healing.live_features import LiveFeatures
from models.fault import store
from models.fault.score import score_latest
from models.healing import policy
from models.healing.loop import scores_from
from models.healing.routing import Router, with_routes
from pipelines.warehouse.sql_files import publish_frame
from workbench.runs.sim_csms import SimCsms

Say = Callable[[str], None]
HOUR = 3600.0


@dataclass(frozen=True)
class Refresh:
    at: datetime
    chargers: int
    alerts: int
    flush_s: float
    build_s: float
    score_s: float


class LivePredictor:
    """Rebuilds and scores on a grid of ``every_h`` hours from ``origin`` (the simulation's start).

    ``scores`` is what ``SelfHealer`` takes; ``predictions`` holds every scored row of the run.
    """

    def __init__(
        self,
        model_dir: Path,
        features: LiveFeatures,
        origin: float,
        every_h: float = 2.0,
        say: Say = print,
        router: Router | None = None,
    ) -> None:
        """``router``: route each scored charger (technician or reset) from its feature row,
        for predictive dispatch; ``model_dir`` without a model of its own scores with the
        shipped default model."""
        if every_h <= 0:
            raise ValueError(f"every_h must be positive, got {every_h}")
        store.load_current(model_dir)  # no model: fail now, not a simulated day later
        self.model_dir, self.features, self.say = model_dir, features, say
        self.router = router
        self.origin, self.every_s = origin, every_h * HOUR
        self.next_at = origin + self.every_s
        self.predictions_file = features.layout.mart_file("predictions")
        self.scores: Callable[[], dict[str, policy.Score]] = scores_from(self.predictions_file)
        self.refreshes: list[Refresh] = []
        self.scored: list[pl.DataFrame] = []  # the predictions of each refresh
        self.inputs: list[pl.DataFrame] = []  # the feature rows they scored
        self._day = -1

    async def maybe_refresh(self, t: float, csms: SimCsms) -> bool:
        """Rebuild and score when ``t`` reached the next grid point; True if it did."""
        if t < self.next_at:
            return False
        steps = int((t - self.origin) // self.every_s) + 1
        self.next_at = self.origin + steps * self.every_s
        started = time.perf_counter()
        await asyncio.to_thread(csms.server.writer.flush)  # the lake holds every row up to t
        flushed = time.perf_counter()
        await asyncio.to_thread(self.features.build, t)
        built = time.perf_counter()
        at = datetime.fromtimestamp(t, UTC)  # the rebuild kept the hours complete by t
        scored = await asyncio.to_thread(
            score_latest, self.model_dir, self.features.layout.marts, 1, at
        )
        if self.router is not None:
            rows = _scored_rows(self.features.features_file, scored)
            scored = with_routes(scored, rows, self.router)
        publish_frame(scored.to_arrow(), self.predictions_file)
        done = time.perf_counter()
        alerts = int(scored["alert"].sum()) if scored.height else 0
        refresh = Refresh(
            datetime.fromtimestamp(t, UTC),
            scored.height,
            alerts,
            flushed - started,
            built - flushed,
            done - built,
        )
        self.refreshes.append(refresh)
        self.scored.append(scored.with_columns(pl.lit(refresh.at).alias("scored_at")))
        self.inputs.append(_scored_rows(self.features.features_file, scored))
        self._report(t, refresh)
        return True

    def _report(self, t: float, r: Refresh) -> None:
        day = int((t - self.origin) // 86400)
        if day == self._day and not r.alerts:
            return
        self._day = day
        seconds = r.flush_s + r.build_s + r.score_s
        self.say(
            f"  model at {r.at:%Y-%m-%d %H:%M}Z: {r.chargers} chargers scored, {r.alerts} alerts "
            f"(flush {r.flush_s:.2f} s, features {r.build_s:.2f} s, score {r.score_s:.2f} s; "
            f"{seconds:.1f} s)"
        )

    def cost(self) -> dict[str, float]:
        """Wall seconds spent on the model during the run, in total and per refresh."""
        n = len(self.refreshes)
        total = sum(r.flush_s + r.build_s + r.score_s for r in self.refreshes)
        return {
            "refreshes": float(n),
            "seconds": total,
            "mean_s": total / n if n else 0.0,
            "max_s": max((r.flush_s + r.build_s + r.score_s for r in self.refreshes), default=0.0),
        }


def _scored_rows(features: Path, scored: pl.DataFrame) -> pl.DataFrame:
    """The feature rows a refresh scored (each charger's last complete hour)."""
    keys = scored.select("charge_point_id", "feature_at")
    return pl.read_parquet(features).join(keys, on=["charge_point_id", "feature_at"], how="semi")
