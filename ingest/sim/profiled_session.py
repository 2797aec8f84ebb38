"""A car charging on a simulated charger that obeys its charging profiles: each tick it draws
the lower of the connector's profile limit and what the battery accepts, and the charger reports
it as a meter sample (energy register and the tick's mean power), so the lake, the site load and
the peaks are the consequence of the installed profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.sim.ev_battery import EvBattery


@dataclass
class ProfiledSession:
    charger: Any  # SimChargePoint16 or SimChargePoint201 (both have limit_w and meter)
    port: int  # connector (1.6) or EVSE (2.0.1)
    car: EvBattery
    delivered_kwh: float = 0.0

    async def tick(self, seconds: float) -> float:
        """Charge for ``seconds`` and report it; the mean kW drawn."""
        limit_kw = self.charger.limit_w(self.port) / 1000.0
        kwh = self.car.draw(limit_kw, seconds)
        self.delivered_kwh += kwh
        mean_kw = kwh * 3600.0 / seconds if seconds > 0 else 0.0
        await self.charger.meter(self.port, round(kwh * 1000), mean_kw * 1000,
                                 soc=self.car.soc * 100)
        return mean_kw
