"""Pricing what-if with a constant-elasticity demand model.

Assumption (shown on the page, adjustable): sessions scale by (p1/p0)^e for a change of the
energy price p (default e = -0.4: +10 % price loses ~3.7 % of sessions); idle minutes scale by
(f1/f0)^e_idle for a change of the idle fee f (default -0.6: drivers move their car sooner).
Everything per session (kWh, charging time, energy cost) scales with sessions; energy revenue
also with the price; idle-fee revenue with the fee and the idle minutes; roaming fees keep their
share of revenue. Occupied time = charging + idle minutes, so utilisation moves with both."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ELASTICITY = -0.4
DEFAULT_IDLE_ELASTICITY = -0.6


@dataclass(frozen=True)
class Base:
    sessions: float
    kwh: float
    energy_revenue: float
    time_revenue: float
    idle_fees: float
    flat_revenue: float
    energy_cost: float
    roaming_fee: float
    charging_min: float
    idle_min: float

    @property
    def revenue(self) -> float:
        return self.energy_revenue + self.time_revenue + self.idle_fees + self.flat_revenue

    @property
    def margin(self) -> float:
        return self.revenue - self.energy_cost - self.roaming_fee

    @property
    def occupied_min(self) -> float:
        return self.charging_min + self.idle_min


def project(
    base: Base,
    price_change: float,
    idle_fee_change: float,
    elasticity: float = DEFAULT_ELASTICITY,
    idle_elasticity: float = DEFAULT_IDLE_ELASTICITY,
) -> Base:
    """The base scaled for a relative energy-price change and idle-fee change (0.1 = +10 %)."""
    if price_change <= -1 or idle_fee_change <= -1:
        raise ValueError("a price can fall by less than 100 %")
    volume = (1 + price_change) ** elasticity
    idle_per_session = (1 + idle_fee_change) ** idle_elasticity
    idle_fees = base.idle_fees * volume * idle_per_session * (1 + idle_fee_change)
    revenue_ratio = 1.0
    projected = Base(
        sessions=base.sessions * volume,
        kwh=base.kwh * volume,
        energy_revenue=base.energy_revenue * volume * (1 + price_change),
        time_revenue=base.time_revenue * volume,
        idle_fees=idle_fees,
        flat_revenue=base.flat_revenue * volume,
        energy_cost=base.energy_cost * volume,
        roaming_fee=0.0,
        charging_min=base.charging_min * volume,
        idle_min=base.idle_min * volume * idle_per_session,
    )
    if base.revenue:
        revenue_ratio = projected.revenue / base.revenue
    return Base(**{**projected.__dict__, "roaming_fee": base.roaming_fee * revenue_ratio})
