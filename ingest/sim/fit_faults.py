"""Fault model calibrated on the Santa Barbara County daily network report.

The report gives, per day, how many stations were faulted at some moment and the total hours
spent in the faulted state. Faults are reported from late 2023; 2024 is the first full year, so
the fit uses the 2024 rows. The model: on each station, fault episodes start as a Poisson process
(rate λ per station-day); an episode is a short self-clearing blip with probability s (lognormal
duration) or else a long untreated fault (lognormal duration, can span days or weeks). Its
parameters are searched so that a simulated network of the report's size, cut at day boundaries
like the report, gives the report's daily distributions. Numbers and limits:
docs/simulator-calibration.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from ingest.sim.profile import FaultProfile

REPORT_YEAR = 2024
DAY = "Day"
STARTED = "Started Sessions"
SESSION_MINUTES = "AVG session duration (minutes)"
UTILISATION = "Utilization (%)"
FAULTED_STATIONS = "Faulted Stations"
FAULTED_HOURS = "Time in Faulted State (hours)"
NUMERIC = (STARTED, SESSION_MINUTES, UTILISATION, FAULTED_STATIONS, FAULTED_HOURS)

QUANTILES = (0.25, 0.5, 0.75, 0.9)
SIM_DAYS = 3650       # ten simulated years: the quantiles barely move with the draws
WARMUP_DAYS = 60      # long faults already running when the measured window opens
RATE_MAX = 0.25       # episode starts per station-day the search may reach (report: ~0.06)
# Wider lognormals fit the quantiles a little better but put the mean in a handful of
# year-long faults, which a simulation of a few years then rarely shows (at 1.5 a 20-year run
# fell 30 % short of its own expectation); at 1.0 it is within sampling noise.
SIGMA_MAX = 1.0
HOURS_FLOOR = 0.01    # hours: the shortest blip a start may assume (the report rounds to 0.01)
INFEASIBLE = 1e6      # the objective where blips alone would exceed the faulted hours
MAX_EVALS = 700


@dataclass(frozen=True)
class FaultParams:
    rate: float          # episode starts per station-day
    short_share: float
    short_mu: float      # ln(hours)
    short_sigma: float
    long_mu: float
    long_sigma: float


@dataclass(frozen=True)
class Days:
    """The report's fault figures, day by day, for a network of ``stations``."""

    fault_share: NDArray[np.float64]         # faulted stations / stations, per day
    hours_per_faulted: NDArray[np.float64]   # faulted hours / faulted stations, faulted days
    hours_per_station_day: float             # mean faulted hours per station-day
    fault_day_share: float                   # share of station-days with any fault
    stations: float

    @classmethod
    def of(cls, count: NDArray[np.float64], hours: NDArray[np.float64], stations: float) -> Days:
        faulted = count > 0
        return cls(count / stations, hours[faulted] / count[faulted],
                   float(hours.sum() / (stations * len(hours))),
                   float(count.sum() / (stations * len(count))), stations)

    def share_q(self) -> tuple[float, ...]:
        return _quantiles(self.fault_share)

    def hours_q(self) -> tuple[float, ...]:
        return _quantiles(self.hours_per_faulted)


def _quantiles(values: NDArray[np.float64]) -> tuple[float, ...]:
    if len(values) == 0:
        return tuple(0.0 for _ in QUANTILES)
    return tuple(float(v) for v in np.quantile(values, QUANTILES))


# --- the report ---------------------------------------------------------------------------

def read_report(sb_path: Path, year: int = REPORT_YEAR) -> pl.DataFrame:
    """The report's rows of ``year`` with the columns the fit uses, as numbers (nulls kept)."""
    # "-" is the export's empty value; three days of July 2024 say "null" instead.
    raw = pl.read_csv(sb_path, null_values=["-", "null"], infer_schema_length=0)
    raw = raw.rename({c: c.lstrip("\ufeff") for c in raw.columns})  # the export has a BOM
    missing = [c for c in (DAY, *NUMERIC) if c not in raw.columns]
    if missing:
        raise ValueError(f"{sb_path.name}: no column {missing[0]!r}")
    try:
        rows = raw.select(pl.col(DAY).str.to_date("%Y-%m-%d"),
                          *[pl.col(c).cast(pl.Float64) for c in NUMERIC])
    except pl.exceptions.InvalidOperationError as exc:
        raise ValueError(f"{sb_path.name}: a value is not a number or date ({exc})") from None
    rows = rows.filter(pl.col(DAY).is_between(date(year, 1, 1), date(year, 12, 31)))
    if rows.is_empty():
        raise ValueError(f"{sb_path.name}: no rows in {year}")
    return rows.sort(DAY)


def estimate_stations(report: pl.DataFrame) -> float:
    """Network size: session-minutes over the year / (utilisation × 1440 minutes), summed.

    Utilisation is occupied port-minutes / (ports × 1440), so session-minutes / (utilisation ×
    1440) is the port count. Day by day the ratio is useless (2.6 to 640 in 2024): a day's
    'AVG session duration' covers the sessions *started* that day, and on weekdays these include
    cars parked for days, whose minutes land in the utilisation of the following days (weekends
    show 50 % utilisation with 40 sessions of one hour). Summed over the year every session-minute
    sits once in the numerator and once in the denominator, so the spill-over cancels; the median
    of the daily ratios (69 in 2024) would instead depend on the weekday/weekend mix. The report
    does not say whether a station has one port or two; we read it as one.
    """
    ok = report.drop_nulls([STARTED, SESSION_MINUTES, UTILISATION]).filter(
        pl.col(UTILISATION) > 0)
    minutes = float((ok[STARTED] * ok[SESSION_MINUTES]).sum())
    capacity = float((ok[UTILISATION] / 100.0 * 1440.0).sum())
    if minutes <= 0.0 or capacity <= 0.0:
        raise ValueError("report: no day with sessions, durations and utilisation")
    return minutes / capacity


def report_days(report: pl.DataFrame, stations: float) -> Days:
    """The report's daily fault figures; a day with no faulted-station count had no fault."""
    count = report[FAULTED_STATIONS].fill_null(0.0).to_numpy()
    hours = report[FAULTED_HOURS].fill_null(0.0).to_numpy()
    return Days.of(count, hours, stations)


# --- the simulation -----------------------------------------------------------------------

@dataclass(frozen=True)
class Draws:
    """Standard random variates drawn once, so every candidate sees the same randomness
    (common random numbers): the search's objective is then a deterministic function."""

    arrivals: NDArray[np.float64]  # [stations, k] unit-rate Poisson arrival times, ascending
    kind: NDArray[np.float64]      # [stations, k] uniforms: short when below the short share
    normal: NDArray[np.float64]    # [stations, k] standard normals for ln(duration)
    total_days: int

    @classmethod
    def make(cls, stations: int, total_days: int, rate_max: float, seed: int) -> Draws:
        rng = np.random.default_rng(seed)
        mean = rate_max * total_days
        k = math.ceil(mean + 8.0 * math.sqrt(mean) + 10.0)  # more starts than rate_max can use
        arrivals = np.cumsum(rng.standard_exponential((stations, k)), axis=1)
        kind = rng.random((stations, k))
        normal = rng.standard_normal((stations, k))
        if float(arrivals[:, -1].min()) < mean:
            raise RuntimeError("too few pre-drawn fault episodes")  # unreachable at 8 sigma
        return cls(arrivals, kind, normal, total_days)


def simulate_hours(p: FaultParams, draws: Draws, warmup_days: int) -> NDArray[np.float64]:
    """Faulted hours per [station, day] after the warm-up, episodes cut at day boundaries."""
    horizon = draws.total_days * 24.0
    # Arrival times scale with 1/rate; only the columns some station still needs are used.
    used = int(np.searchsorted(draws.arrivals.min(axis=0), p.rate * draws.total_days)) + 1
    start = draws.arrivals[:, :used] * (24.0 / p.rate)
    normal = draws.normal[:, :used]
    log_h = np.where(draws.kind[:, :used] < p.short_share,
                     p.short_mu + p.short_sigma * normal, p.long_mu + p.long_sigma * normal)
    live = start < horizon
    station = np.broadcast_to(np.arange(start.shape[0])[:, None], start.shape)[live]
    begin = start[live]
    end = np.minimum(begin + np.exp(np.minimum(log_h[live], math.log(horizon))), horizon)
    hours = _cut_at_days(station, begin, end, start.shape[0], draws.total_days)
    return hours[:, warmup_days:]


def _cut_at_days(station: NDArray[np.int64], begin: NDArray[np.float64],
                 end: NDArray[np.float64], stations: int, days: int) -> NDArray[np.float64]:
    # Partial first and last days are added directly; the whole days between go through a
    # difference array, so an episode of any length costs O(1).
    first = np.floor(begin / 24.0).astype(np.int64)
    last = np.maximum(np.ceil(end / 24.0).astype(np.int64) - 1, first)
    row = station * (days + 1)
    size = stations * (days + 1)
    same = first == last
    head = np.where(same, end, (first + 1) * 24.0) - begin
    tail = np.where(same, 0.0, end - last * 24.0)
    partial = (np.bincount(row + first, head, size) + np.bincount(row + last, tail, size))
    split = ~same
    diff = (np.bincount(row[split] + first[split] + 1, None, size)
            - np.bincount(row[split] + last[split], None, size)) * 24.0
    whole = np.cumsum(diff.reshape(stations, days + 1), axis=1)
    hours = np.asarray((partial.reshape(stations, days + 1) + whole)[:, :days], np.float64)
    # Overlapping episodes on one station count once a day at most: a day has 24 hours.
    return np.minimum(hours, 24.0, out=hours)


def simulated_days(hours: NDArray[np.float64]) -> Days:
    """The report's daily figures for a simulated [station, day] matrix of faulted hours."""
    count = (hours > 0.0).sum(axis=0).astype(np.float64)
    return Days.of(count, hours.sum(axis=0), float(hours.shape[0]))


def simulate_profile(faults: FaultProfile, days: int = SIM_DAYS,
                     seed: int = 0) -> NDArray[np.float64]:
    """Faulted hours per [station, day] for a network of the profile's size (for checks)."""
    p = FaultParams(faults.faults_per_charger_day, faults.short_share, faults.short_log_mu,
                    faults.short_log_sigma, faults.long_log_mu, faults.long_log_sigma)
    # Drawn as in the fit, so the fit's own seed and length give back the fit's own network.
    draws = Draws.make(_network(faults.stations_estimate), WARMUP_DAYS + days,
                       max(p.rate, RATE_MAX), seed)
    return simulate_hours(p, draws, WARMUP_DAYS)


def _network(stations: float) -> int:
    return max(1, round(stations))


# --- the fit ------------------------------------------------------------------------------
# The long-fault mu is solved from the mean (decode); the other five parameters are searched
# against the daily distributions (loss), from a coarse grid (start_grid) by Nelder–Mead.

def expected_hours_per_station_day(p: FaultParams) -> float:
    """Mean faulted hours per station-day of the model: starts per day × mean duration."""
    short = math.exp(p.short_mu + p.short_sigma ** 2 / 2.0)
    long = math.exp(p.long_mu + p.long_sigma ** 2 / 2.0)
    return p.rate * (p.short_share * short + (1.0 - p.short_share) * long)


def loss(sim: Days, target: Days) -> float:
    """How far the simulated days are from the report's.

    For each of the report's quartiles and 90th percentile (of the faulted-station share and of
    the hours per faulted station), the squared gap between the simulated share of days below
    that value and the quantile's level: a distance between distributions that stays smooth
    where a quantile sits in a gap (the median hours per faulted station is right between the
    days with only blips and the days with a long fault). Plus the squared log error of the
    share of station-days with a fault.
    """
    half_station = 0.5 / target.stations  # the counts are integers: a tie is within a station
    total = 0.0
    for level, s_q, h_q in zip(QUANTILES, target.share_q(), target.hours_q(), strict=True):
        total += (_mid_cdf(sim.fault_share, s_q, half_station) - level) ** 2
        total += (_mid_cdf(sim.hours_per_faulted, h_q, 0.0) - level) ** 2
    return total + math.log(sim.fault_day_share / target.fault_day_share) ** 2


def _mid_cdf(values: NDArray[np.float64], at: float, half_width: float) -> float:
    """Share of values below ``at``, ties (within ``half_width``) counted half."""
    if len(values) == 0:
        return 0.0
    below = float(np.mean(values < at - half_width))
    return below + 0.5 * float(np.mean(np.abs(values - at) <= half_width))


def decode(x: NDArray[np.float64], hours_per_station_day: float) -> FaultParams | None:
    """Search space (log rate, logit short share, short mu, log short sigma, log long sigma)
    -> parameters, the long mu solved so that the model's expected faulted hours per
    station-day equal the report's; None when the blips alone already exceed them.

    The mean is imposed rather than searched: uptime is the figure users read, and a few long
    faults carry most of the hours, so a simulated mean would let the search fit the draws' luck.
    """
    rate = min(math.exp(x[0]), RATE_MAX)
    share = 1.0 / (1.0 + math.exp(-x[1]))
    short_sigma, long_sigma = (min(math.exp(v), SIGMA_MAX) for v in (x[3], x[4]))
    blip_hours = share * math.exp(x[2] + short_sigma ** 2 / 2.0)
    long_hours = (hours_per_station_day / rate - blip_hours) / (1.0 - share)
    if not long_hours > 0.0:
        return None
    long_mu = math.log(long_hours) - long_sigma ** 2 / 2.0
    return FaultParams(rate, share, float(x[2]), short_sigma, long_mu, long_sigma)


def start_grid(target: Days) -> list[NDArray[np.float64]]:
    """Coarse starting points; the best one picks the basin Nelder–Mead then descends in.

    A fault-day share f of mostly one-day blips means about f starts per station-day; blips
    last about the lower quartile of the hours per faulted station. The grid spans the rate
    around that, the blip share and the spread of long faults (the search is multimodal: a few
    fixed-length long faults or many of widely spread lengths).
    """
    rate = max(target.fault_day_share, 1e-3)
    blip = math.log(max(target.hours_q()[0], HOURS_FLOOR))
    return [np.array([math.log(rate * r), math.log(s / (1.0 - s)), blip, 0.0, math.log(sd)])
            for r in (0.7, 1.0, 1.3) for s in (0.9, 0.95, 0.98) for sd in (0.3, 0.8, 1.4)]


def nelder_mead(f: Callable[[NDArray[np.float64]], float], x0: NDArray[np.float64],
                step: float = 0.5, max_evals: int = MAX_EVALS,
                tol: float = 1e-8) -> NDArray[np.float64]:
    """Plain Nelder–Mead (reflect 1, expand 2, contract ½, shrink ½); deterministic."""
    n = len(x0)
    simplex: list[NDArray[np.float64]] = [x0.astype(np.float64)]
    simplex += [x0 + step * unit for unit in np.eye(n)]
    values = [f(x) for x in simplex]
    evals = n + 1
    while evals < max_evals:
        order = np.argsort(values, kind="stable")
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if values[-1] - values[0] < tol:
            break
        centre = np.mean(simplex[:-1], axis=0)
        simplex[-1], values[-1], used = _nm_step(f, simplex, values, centre)
        evals += used
    return simplex[int(np.argmin(np.asarray(values)))]


def _nm_step(f: Callable[[NDArray[np.float64]], float], simplex: list[NDArray[np.float64]],
             values: list[float], centre: NDArray[np.float64]
             ) -> tuple[NDArray[np.float64], float, int]:
    worst, f_worst = simplex[-1], values[-1]
    reflected = centre + (centre - worst)
    f_r = f(reflected)
    if f_r < values[0]:
        expanded = centre + 2.0 * (centre - worst)
        f_e = f(expanded)
        return (expanded, f_e, 2) if f_e < f_r else (reflected, f_r, 2)
    if f_r < values[-2]:
        return reflected, f_r, 1
    inner = centre + 0.5 * ((reflected if f_r < f_worst else worst) - centre)
    f_c = f(inner)
    if f_c < min(f_r, f_worst):
        return inner, f_c, 2
    # Shrink towards the best vertex; the caller's lists are updated in place.
    best = simplex[0]
    for i in range(1, len(simplex) - 1):
        simplex[i] = best + 0.5 * (simplex[i] - best)
        values[i] = f(simplex[i])
    shrunk = best + 0.5 * (worst - best)
    return shrunk, f(shrunk), len(simplex) - 1


def fit_params(target: Days, seed: int) -> FaultParams:
    """The parameters whose simulated days are nearest the report's (grid, then Nelder–Mead)."""
    draws = Draws.make(_network(target.stations), WARMUP_DAYS + SIM_DAYS, RATE_MAX, seed)
    mean = target.hours_per_station_day

    def objective(x: NDArray[np.float64]) -> float:
        p = decode(x, mean)
        if p is None:
            return INFEASIBLE
        return loss(simulated_days(simulate_hours(p, draws, WARMUP_DAYS)), target)

    grid = start_grid(target)
    best = grid[int(np.argmin([objective(x) for x in grid]))]
    # Two passes: a restart from the first optimum escapes a collapsed simplex.
    best = nelder_mead(objective, best)
    found = decode(nelder_mead(objective, best, step=0.25), mean)
    if found is None:
        raise ValueError("report: no fault model reproduces its faulted hours")
    return found


def fit_faults(sb_path: Path, seed: int = 0) -> FaultProfile:
    """Fit the fault model to the report's 2024 rows; deterministic for a given seed."""
    report = read_report(sb_path)
    stations = estimate_stations(report)
    target = report_days(report, stations)
    if target.hours_per_station_day <= 0.0:
        raise ValueError(f"{sb_path.name}: no faulted hours in {REPORT_YEAR}")
    p = fit_params(target, seed)
    faults = report.filter(pl.col(FAULTED_STATIONS).fill_null(0) > 0).height
    source = (f"{sb_path.name}: {REPORT_YEAR} rows ({report.height} days, {faults} with faults); "
              f"simulated {_network(stations)} stations x {SIM_DAYS} days, seed {seed}")
    return FaultProfile(
        source=source, stations_estimate=stations, faults_per_charger_day=p.rate,
        short_share=p.short_share, short_log_mu=p.short_mu, short_log_sigma=p.short_sigma,
        long_log_mu=p.long_mu, long_log_sigma=p.long_sigma,
        target_faulted_hours_per_station_day=target.hours_per_station_day,
        target_fault_day_share=target.fault_day_share,
    )
