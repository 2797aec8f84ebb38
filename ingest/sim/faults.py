"""The fault model: when each charger fails, how, for how long if nobody acts, and the
precursors it shows first.

Episode starts and durations follow the fault profile fitted to a real network's report: short
episodes are self-clearing trips; long ones are one of five types, three of which a remote reset
cures. Before a long fault the charger shows precursors whose intensity ramps up over a window
of hours; a share of precursor windows ends without a fault (near misses), and healthy chargers
emit the same signals now and then, so the signals predict, not give away, a fault.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.sim.profile import FaultProfile

CHARGEX_CODES = ("ConnectorLockFailure", "GroundFailure", "HighTemperature", "OverCurrent",
                 "OverVoltage", "UnderVoltage")


@dataclass(frozen=True)
class FaultType:
    name: str
    curable: bool  # a remote reset cures it
    share: float  # of long faults
    onset_code: str  # the error code the charger reports when it fails
    precursor_codes: tuple[str, ...]
    code_rate_per_h: float  # precursor error notifications per hour at full intensity
    temp_rise_c: float  # connector/cabinet temperature rise at full intensity
    jitter: float  # heartbeat/meter-values jitter as a share of the interval at full intensity
    failed_start: float  # probability a session fails to start at full intensity
    reboots_per_day: float  # spontaneous reboots at full intensity
    offline: bool = False  # the fault is a lost backend link, not a Faulted connector
    connector: bool = False  # hits one connector, not the whole charger


TRANSIENT = FaultType("transient_trip", True, 0.0, "OverCurrent", (), 0.0, 0.0, 0.0, 0.0, 0.0)
LONG_TYPES: tuple[FaultType, ...] = (
    FaultType("firmware_hang", True, 0.25, "InternalError", ("OverVoltage",), 0.3, 2.0, 0.35,
              0.25, 4.0),
    FaultType("connector_lock_stuck", True, 0.15, "ConnectorLockFailure",
              ("ConnectorLockFailure",), 0.8, 0.0, 0.05, 0.5, 0.0, connector=True),
    FaultType("backend_link_lost", True, 0.20, "NoError", (), 0.0, 0.0, 0.6, 0.1, 1.5,
              offline=True),
    FaultType("power_module", False, 0.25, "HighTemperature",
              ("HighTemperature", "OverCurrent", "UnderVoltage"), 0.6, 25.0, 0.1, 0.35, 0.5),
    FaultType("ground_fault", False, 0.15, "GroundFailure", ("GroundFailure", "OverVoltage"),
              0.7, 4.0, 0.05, 0.45, 0.3),
)
BY_NAME = {t.name: t for t in (TRANSIENT, *LONG_TYPES)}
PRECURSOR_MEDIAN_H, PRECURSOR_SIGMA = 30.0, 0.5  # lognormal window before a long fault
PRECURSOR_MIN_H, PRECURSOR_MAX_H = 8.0, 96.0
NEAR_MISS_SHARE = 0.25  # precursor windows with no fault after them, per long fault


@dataclass(frozen=True)
class Precursors:
    """How long faults announce themselves. The defaults are this project's guess: no public
    data pins them down, so a fleet's own evidence can replace them (`cpo simulate
    --precursor-*`), and `bench/bench_precursor_sweep.py` shows how much a model can learn
    under each choice."""

    median_h: float = PRECURSOR_MEDIAN_H  # lognormal window length before a long fault
    near_miss_share: float = NEAR_MISS_SHARE
    ramp: float = 2.0  # intensity = phase ** ramp: 2 accelerates as wear does, 1 is linear

    def __post_init__(self) -> None:
        if not 1.0 <= self.median_h <= 240.0:
            raise ValueError(f"precursor window median {self.median_h} h: give 1 to 240 hours")
        if not 0.0 <= self.near_miss_share <= 1.0:
            raise ValueError(f"near-miss share {self.near_miss_share}: give 0 to 1")
        if not 0.25 <= self.ramp <= 4.0:
            raise ValueError(f"precursor ramp {self.ramp}: give 0.25 (early) to 4 (late)")

    def window_h(self, rng: np.random.Generator) -> float:
        low = min(PRECURSOR_MIN_H, self.median_h / 2)  # the defaults' bounds when median is 30 h
        high = max(PRECURSOR_MAX_H, self.median_h * 3.2)
        return float(np.clip(rng.lognormal(np.log(self.median_h), PRECURSOR_SIGMA), low, high))
NOISE_CODES_PER_DAY = 0.08  # error notifications of a healthy charger
NOISE_REBOOTS_PER_DAY = 0.01


@dataclass(frozen=True)
class Fault:
    type: FaultType
    precursor_start: float
    start: float  # onset; for a near miss, when the window ends with nothing
    end: float  # when it clears if nobody resets it (self-clear or technician)
    connector: int
    near_miss: bool = False
    ramp: float = 2.0  # see Precursors.ramp

    def intensity(self, t: float) -> float:
        """0 before the precursor window, rising to 1 at onset (accelerating, as wear does)."""
        if t < self.precursor_start or t >= self.start:
            return 0.0
        x = (t - self.precursor_start) / max(self.start - self.precursor_start, 1.0)
        # x * x, not x ** 2.0: pow rounds differently in about 1 of 1,000 cases, and the
        # default must draw the same lake as before the ramp was a setting.
        return x * x if self.ramp == 2.0 else float(x**self.ramp)


def draw_faults(rng: np.random.Generator, p: FaultProfile, start: float, end: float,
                connectors: int, precursors: Precursors = Precursors()) -> list[Fault]:
    """One charger's faults and near misses over [start, end), in time order, not overlapping.

    A wear process runs through the self-clearing trips it meets: a precursor window is cut
    short only by the previous long fault (a repair or a reset restarts the wear), never by a
    trip, which would otherwise hide most of the signal at high fault rates."""
    faults: list[Fault] = []
    if p.faults_per_charger_day <= 0:
        return faults
    free_from = wear_from = start
    t = start + rng.exponential(86400.0 / p.faults_per_charger_day)
    while t < end:
        fault = _episode(rng, p, max(t, free_from), wear_from, connectors, precursors)
        if fault.type.share:
            if rng.random() < precursors.near_miss_share and not fault.type.offline:
                miss = _near_miss(rng, fault, wear_from)
                if miss.start > miss.precursor_start:
                    faults.append(miss)
            wear_from = fault.end
        faults.append(fault)
        free_from = fault.end
        t = fault.end + rng.exponential(86400.0 / p.faults_per_charger_day)
    return [f for f in sorted(faults, key=lambda f: f.start) if f.precursor_start < end]


def _episode(rng: np.random.Generator, p: FaultProfile, onset: float, wear_from: float,
             connectors: int, precursors: Precursors) -> Fault:
    connector = int(rng.integers(1, connectors + 1))
    if rng.random() < p.short_share:
        hours = rng.lognormal(p.short_log_mu, p.short_log_sigma)
        return Fault(TRANSIENT, onset, onset, onset + 3600.0 * hours, connector)
    kind = LONG_TYPES[int(rng.choice(len(LONG_TYPES), p=[t.share for t in LONG_TYPES]))]
    hours = rng.lognormal(p.long_log_mu, p.long_log_sigma)
    window = precursors.window_h(rng)
    return Fault(kind, max(wear_from, onset - 3600.0 * window), onset,
                 onset + 3600.0 * max(hours, 0.25), connector, ramp=precursors.ramp)


def _near_miss(rng: np.random.Generator, fault: Fault, wear_from: float) -> Fault:
    """A window of the same type's signals that fades out instead of failing, days earlier."""
    span = fault.start - fault.precursor_start
    end = fault.precursor_start - rng.uniform(0.5, 3.0) * 86400.0
    return Fault(fault.type, max(wear_from, end - span), end, end, fault.connector,
                 near_miss=True, ramp=fault.ramp)
