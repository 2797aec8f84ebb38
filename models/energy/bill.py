"""What a site's load costs under a utility tariff with a demand charge.

- **Energy cost**: sum over intervals of kW x hours x the interval's $/kWh.
- **Monthly peak**: the highest 15-minute average site load in a calendar month (the demand
  interval US utilities meter, e.g. SCE TOU-EV-8 and PG&E A-10), in kW.
- **Demand charge**: monthly peak x the month's $/kW rate, summed over months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.energy.errors import EnergyError

DEMAND_INTERVAL_H = 0.25  # 15 minutes


@dataclass(frozen=True)
class Bill:
    energy_kwh: float
    energy_usd: float
    peaks_kw: dict[str, float]  # month ("YYYY-MM") -> peak of 15-min average load
    demand_usd: float

    @property
    def total_usd(self) -> float:
        return self.energy_usd + self.demand_usd


def demand_intervals(load_kw: npt.NDArray[np.float64], step_h: float) -> np.ndarray:
    """15-minute averages of a load sampled every ``step_h`` hours (a divisor of 15 minutes)."""
    per = round(DEMAND_INTERVAL_H / step_h)
    if per < 1 or abs(per * step_h - DEMAND_INTERVAL_H) > 1e-9:
        raise EnergyError(f"a step of {step_h * 60:g} min does not divide the 15-min interval")
    whole = len(load_kw) // per * per
    load = np.asarray(load_kw, dtype=float)
    heads = load[:whole].reshape(-1, per).mean(axis=1)
    tail = [load[whole:].sum() / per] if whole < len(load) else []
    return np.concatenate([heads, tail])


def bill(
    load_kw: npt.NDArray[np.float64],
    step_h: float,
    prices: npt.NDArray[np.float64],
    months: Sequence[str],
    demand_rates: dict[str, float],
) -> Bill:
    """``prices`` ($/kWh) and ``months`` ("YYYY-MM", local time) per sample; ``demand_rates``
    $/kW per month (a month missing from it pays no demand charge)."""
    load = np.asarray(load_kw, dtype=float)
    if not len(load) == len(prices) == len(months):
        raise EnergyError("load, prices and months need one value per interval each")
    per = round(DEMAND_INTERVAL_H / step_h)
    averages = demand_intervals(load, step_h)
    month_of = np.asarray(months)[::per][: len(averages)]
    peaks: dict[str, float] = {}
    for month in dict.fromkeys(month_of):
        peaks[str(month)] = float(averages[month_of == month].max())
    return Bill(
        energy_kwh=float(load.sum() * step_h),
        energy_usd=float((load * np.asarray(prices, dtype=float)).sum() * step_h),
        peaks_kw=peaks,
        demand_usd=sum(p * demand_rates.get(m, 0.0) for m, p in peaks.items()),
    )
