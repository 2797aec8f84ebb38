"""A simulated charger's connectors and the sessions on them."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sim.demand import Visit


@dataclass
class Session:
    visit: Visit
    connector: int
    power_w: float  # while charging
    started: float  # when energy began to flow
    charged_by: float  # when the EV stops drawing (the wanted energy, or unplug first)
    leaves: float  # unplug time
    start_wh: int  # register at start
    want_wh: int
    token: int  # tells this session's timed events from a later session's
    tx: str | None = None
    sampled_at: float = 0.0  # last meter sample
    reason: str = "Local"  # stop reason when it ends

    def delivered_wh(self, t: float) -> int:
        charging_s = max(0.0, min(t, self.charged_by) - self.started)
        return min(self.want_wh, round(self.power_w * charging_s / 3600.0))

    def soc(self, t: float) -> float:
        v = self.visit
        return min(100.0, v.soc_start + 100.0 * self.delivered_wh(t) / 1000.0 / v.battery_kwh)


@dataclass
class Port:
    connector: int
    state: str = "Available"  # the 1.6 status last sent
    operative: bool = True
    pending_inoperative: bool = False  # ChangeAvailability while busy: applied at unplug
    session: Session | None = None
    reserved: bool = False  # a driver is walking up to it

    @property
    def free(self) -> bool:
        return (self.operative and self.session is None and not self.reserved
                and self.state == "Available")
