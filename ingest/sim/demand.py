"""Drivers: when they arrive at a site, which tag they present, how long they stay and how much
energy they want. The hour-of-week shape, dwell and energy come from real sessions and the level
from a real network's report (see ``profile``); each site scales it by its popularity.

Assumptions beyond the data (ACN-Data is a workplace AC site): a DC port turns over
``DC_TURNOVER`` times the sessions of an AC port, a DC driver wants ``DC_ENERGY_FACTOR`` times the
energy, and idles a quarter of the share an AC driver does once charging is done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from ingest.sim.profile import DemandProfile
from ingest.sim.tags import Tag

DC_TURNOVER = 3.0
DC_ENERGY_FACTOR = 2.0
DC_IDLE_SHARE = 0.25
BATTERIES_KWH = (40.0, 60.0, 64.0, 75.0, 82.0, 100.0)
VEHICLE_AC_KW = (6.6, 7.2, 11.0, 11.0, 19.2)
VEHICLE_DC_KW = (50.0, 100.0, 150.0, 250.0)


@dataclass(frozen=True)
class Visit:
    at: float
    kind: str  # the port type the driver wants: AC or DC
    tag: Tag
    dwell_s: float  # plugged in, from plug-in to unplug
    want_kwh: float
    battery_kwh: float
    soc_start: float  # percent
    vehicle_kw: float  # the car's own limit (on-board charger for AC)


def hourly_rates(profile: DemandProfile, start: float, hours: int) -> np.ndarray:
    """Sessions per port for each hour from ``start``: weekly level x hour-of-week weight."""
    tz = ZoneInfo(profile.timezone)
    weekly = 7.0 * profile.sessions_per_port_day
    out = np.empty(hours)
    for h in range(hours):
        local = datetime.fromtimestamp(start + 3600 * h, tz)
        out[h] = weekly * profile.hour_of_week[local.weekday() * 24 + local.hour]
    return out


def arrivals(rng: np.random.Generator, rates: np.ndarray, start: float, ports: float,
             popularity: float) -> np.ndarray:
    """Arrival times of a Poisson process whose hourly mean is ``rates x ports x popularity``."""
    counts = rng.poisson(rates * ports * popularity)
    offsets = np.repeat(np.arange(len(rates)) * 3600.0, counts)
    return np.sort(start + offsets + rng.uniform(0.0, 3600.0, offsets.size))


def draw_visit(rng: np.random.Generator, profile: DemandProfile, at: float, kind: str,
               tag: Tag) -> Visit:
    d = profile
    dwell_h = float(np.clip(rng.lognormal(d.dwell_log_mu, d.dwell_log_sigma),
                            d.dwell_min_h, d.dwell_max_h))
    kwh = math.exp(d.kwh_log_a + d.kwh_log_b * math.log(dwell_h)
                   + rng.normal(0.0, d.kwh_log_sigma))
    kwh = min(max(kwh, 0.5), d.kwh_max)
    battery = float(rng.choice(BATTERIES_KWH))
    if kind == "DC":
        kwh = min(kwh * DC_ENERGY_FACTOR, 0.85 * battery)
        vehicle_kw = float(rng.choice(VEHICLE_DC_KW))
        charging_h = kwh / (0.8 * vehicle_kw)
        share = rng.beta(d.charge_fraction_alpha, d.charge_fraction_beta)
        idle_share = (1.0 - share) * DC_IDLE_SHARE
        dwell_h = charging_h / max(1.0 - idle_share, 0.05) + 2.0 / 60  # plug/unplug minutes
    else:
        vehicle_kw = float(rng.choice(VEHICLE_AC_KW))
    kwh = min(kwh, 0.95 * battery)
    soc = max(3.0, 100.0 * (1.0 - kwh / battery) - rng.uniform(0.0, 15.0))
    return Visit(at, kind, tag, dwell_h * 3600.0, kwh, battery, soc, vehicle_kw)
