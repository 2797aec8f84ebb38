"""The simulated technicians' contract: response time, repair time, cost per truck roll (the
figures and their sources: docs/simulator-calibration.md, "Field service")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOUR = 3600.0


@dataclass(frozen=True)
class FieldService:
    """The technicians' contract: how fast they come, how long a repair takes, what a roll
    costs. Response and repair times are lognormal (median, sigma), clipped."""

    response_median_h: float = 48.0
    response_sigma: float = 0.5
    response_min_h: float = 4.0
    response_max_h: float = 168.0
    repair_median_h: float = 3.0
    repair_sigma: float = 0.4
    diagnose_h: float = 1.0  # on site when nothing is found
    cost_per_roll_usd: float = 450.0
    poll_s: float = 900.0  # how often the dispatcher looks at new tickets

    def __post_init__(self) -> None:
        if not 0 < self.response_min_h <= self.response_median_h <= self.response_max_h:
            raise ValueError(
                f"response times: need 0 < min {self.response_min_h} <= median "
                f"{self.response_median_h} <= max {self.response_max_h} hours")
        if self.repair_median_h <= 0 or self.cost_per_roll_usd < 0 or self.poll_s <= 0:
            raise ValueError("repair time and poll interval must be positive, cost >= 0")

    def response_s(self, rng: np.random.Generator) -> float:
        h = self._draw(rng, self.response_median_h, self.response_sigma)
        return HOUR * float(np.clip(h, self.response_min_h, self.response_max_h))

    def repair_s(self, rng: np.random.Generator) -> float:
        return HOUR * max(0.25, self._draw(rng, self.repair_median_h, self.repair_sigma))

    @staticmethod
    def _draw(rng: np.random.Generator, median: float, sigma: float) -> float:
        return float(rng.lognormal(np.log(median), sigma)) if sigma > 0 else median
