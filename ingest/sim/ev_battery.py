"""A simulated car's battery as an energy manager meets it: it draws the lower of what the
charger allows and what it accepts, and it accepts less as it fills (constant power up to
``taper_from`` state of charge, then linearly down to ``floor`` x its maximum at full), the
usual constant-current/constant-voltage shape of lithium-ion charging."""

from __future__ import annotations

from dataclasses import dataclass

SUBSTEP_S = 30.0  # integration step: fine enough for the taper, coarse enough to be cheap


@dataclass
class EvBattery:
    capacity_kwh: float
    soc: float  # 0..1
    max_kw: float  # what its on-board charger accepts
    taper_from: float = 0.8
    floor: float = 0.1

    def accepts_kw(self) -> float:
        if self.soc >= 1.0:
            return 0.0
        if self.soc <= self.taper_from:
            return self.max_kw
        left = (1.0 - self.soc) / (1.0 - self.taper_from)
        return self.max_kw * max(self.floor, left)

    def draw(self, limit_kw: float, seconds: float) -> float:
        """Charge for ``seconds`` under ``limit_kw``; the kWh taken."""
        taken, left = 0.0, seconds
        while left > 1e-9:
            step = min(SUBSTEP_S, left)
            kw = max(0.0, min(limit_kw, self.accepts_kw()))
            kwh = min(kw * step / 3600.0, (1.0 - self.soc) * self.capacity_kwh)
            self.soc += kwh / self.capacity_kwh
            taken += kwh
            left -= step
        return taken
