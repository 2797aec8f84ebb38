"""Demand model fitted from Caltech ACN-Data sessions (shape) and the Santa Barbara report (level).

ACN-Data, Caltech (Lee, Li and Low, "ACN-Data: Analysis and Applications of an Open EV Charging
Dataset", e-Energy 2019). Caltech is a workplace AC site and the 2020-2021 export falls in the
COVID period, so its *volume* says little about a public network: only the shape is taken from it
(arrivals by hour of week, dwell, kWh against dwell, share of the dwell spent charging). The level,
sessions per port-day, comes from the Santa Barbara County report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from ingest.replay.acn import read_acn
from ingest.sim.fit_faults import REPORT_YEAR, STARTED, estimate_stations, read_report
from ingest.sim.profile import HOURS_OF_WEEK, DemandProfile

TIMEZONE = "America/Los_Angeles"
PSEUDO_COUNT = 0.5     # per hour of week: no hour is impossible, an empty hour stays ~0
FRACTION_CLIP = (0.01, 0.99)
AC_MAX_KW = 19.2       # the top of AC level 2 (SAE J1772, 80 A at 240 V)
CLIP_PERCENTILES = (1.0, 99.0)


def fit_demand(acn_path: Path, sb_path: Path) -> DemandProfile:
    every = read_sessions(acn_path)
    sessions = ac_only(every)
    if sessions.is_empty():
        raise ValueError(f"{acn_path.name}: no usable AC session")
    dc = every.height - sessions.height
    dwell = sessions["dwell_h"].to_numpy()
    log_dwell = np.log(dwell)
    dwell_lo, dwell_hi = np.percentile(dwell, CLIP_PERCENTILES)
    a, b, sigma, kwh_max = fit_kwh(sessions)
    alpha, beta = fit_charge_fraction(sessions)
    level, level_source = demand_level(sb_path)
    return DemandProfile(
        source=(f"{acn_path.name}: {sessions.height} AC sessions on "
                f"{sessions['station'].n_unique()} stations (shape; {dc} sessions on "
                f"{every['station'].n_unique() - sessions['station'].n_unique()} DC station(s) "
                f"left out); {level_source}"),
        timezone=TIMEZONE,
        hour_of_week=hour_of_week(sessions),
        sessions_per_port_day=level,
        dwell_log_mu=float(log_dwell.mean()),
        dwell_log_sigma=float(log_dwell.std()),
        dwell_min_h=float(dwell_lo), dwell_max_h=float(dwell_hi),
        kwh_log_a=a, kwh_log_b=b, kwh_log_sigma=sigma, kwh_max=kwh_max,
        charge_fraction_alpha=alpha, charge_fraction_beta=beta,
    )


def read_sessions(acn_path: Path) -> pl.DataFrame:
    """One row per session: station, UTC connection time, dwell hours, charging hours, kWh.

    The replay's reader already drops sessions that end before they start or have negative kWh.
    """
    rows = read_acn(acn_path).sessions
    frame = pl.DataFrame({
        "station": [s.station for s in rows],
        "start": [s.start for s in rows],
        "end": [s.end for s in rows],
        "done": [s.done_charging for s in rows],
        "kwh": [s.kwh for s in rows],
    }, schema={"station": pl.String, "start": pl.Datetime("us", "UTC"),
               "end": pl.Datetime("us", "UTC"), "done": pl.Datetime("us", "UTC"),
               "kwh": pl.Float64})
    hours = 3_600_000_000.0  # microseconds
    return frame.select(
        "station", "start", "kwh",
        dwell_h=(pl.col("end") - pl.col("start")).dt.total_microseconds() / hours,
        charging_h=(pl.col("done") - pl.col("start")).dt.total_microseconds() / hours,
    )


def ac_only(sessions: pl.DataFrame) -> pl.DataFrame:
    """The sessions of AC stations: those whose median session delivers at most 19.2 kW.

    Caltech is not all AC: one station (2-39-81-4550) is a DC fast charger, with a third of the
    sessions at a median 31 kW over 45 minutes and never a doneChargingTime. Mixed in, it turns
    the kWh-vs-dwell slope negative. Every other station stays under 7.2 kW in every session.
    """
    power = sessions.group_by("station").agg(
        (pl.col("kwh") / pl.col("dwell_h")).median().alias("kw"))
    ac = power.filter(pl.col("kw") <= AC_MAX_KW).select("station")
    return sessions.join(ac, on="station", how="semi", maintain_order="left")


def hour_of_week(sessions: pl.DataFrame) -> tuple[float, ...]:
    """Arrival weights by local hour of week (Monday 00:00 first), add-½ smoothed."""
    local = sessions["start"].dt.convert_time_zone(TIMEZONE)
    # weekday(): Monday = 1. Small integer types would overflow at 167: widen first.
    day, hour = local.dt.weekday().cast(pl.Int64), local.dt.hour().cast(pl.Int64)
    index = ((day - 1) * 24 + hour).to_numpy()
    counts = np.bincount(index, minlength=HOURS_OF_WEEK).astype(np.float64) + PSEUDO_COUNT
    return tuple(float(v) for v in counts / counts.sum())


def fit_kwh(sessions: pl.DataFrame) -> tuple[float, float, float, float]:
    """ln(kWh) = a + b ln(dwell h) + N(0, sigma) by least squares on sessions with energy;
    sigma is the residuals' root mean square (the maximum-likelihood estimate), and the cap is
    the 99th percentile of their kWh."""
    with_energy = sessions.filter(pl.col("kwh") > 0)
    if with_energy.height < 2:
        raise ValueError("ACN sessions: fewer than two with energy, cannot fit kWh vs dwell")
    x = np.log(with_energy["dwell_h"].to_numpy())
    y = np.log(with_energy["kwh"].to_numpy())
    b, a = _line(x, y)
    residuals = y - (a + b * x)
    sigma = float(np.sqrt(np.mean(residuals ** 2)))
    return a, b, sigma, float(np.percentile(with_energy["kwh"].to_numpy(), 99.0))


def _line(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """Least-squares slope and intercept (centred, so no matrix solve is needed)."""
    dx = x - x.mean()
    spread = float(np.dot(dx, dx))
    if spread == 0.0:
        raise ValueError("ACN sessions: every dwell is the same, kWh vs dwell has no slope")
    slope = float(np.dot(dx, y - y.mean()) / spread)
    return slope, float(y.mean() - slope * x.mean())


def fit_charge_fraction(sessions: pl.DataFrame) -> tuple[float, float]:
    """Beta(alpha, beta) by the method of moments on charging time / connection time.

    Only sessions whose doneChargingTime is known; the share is clipped to (0.01, 0.99)
    because the file has done times after the disconnect and before the connection.
    """
    known = sessions.drop_nulls("charging_h")
    share = np.clip((known["charging_h"] / known["dwell_h"]).to_numpy(), *FRACTION_CLIP)
    if len(share) < 2:
        raise ValueError("ACN sessions: fewer than two with a doneChargingTime")
    mean, var = float(share.mean()), float(share.var())
    if var <= 0.0:
        raise ValueError("ACN sessions: charging share does not vary, cannot fit a Beta")
    common = mean * (1.0 - mean) / var - 1.0
    return mean * common, (1.0 - mean) * common


def demand_level(sb_path: Path) -> tuple[float, str]:
    """Sessions per port-day in the SB report's year: started sessions / stations / days."""
    report = read_report(sb_path)
    stations = estimate_stations(report)
    started = float(report[STARTED].fill_null(0.0).sum())
    level = started / stations / report.height
    source = (f"{sb_path.name}: {int(started)} sessions started in {REPORT_YEAR} "
              f"over {report.height} days on ~{stations:.1f} stations (level)")
    return level, source
