"""The fleet simulator's profile: demand and fault parameters fitted from real public data.

``profile.json`` beside this module is the output of ``python -m ingest.sim.fit_profile`` on
``../shared/data`` (see docs/simulator-calibration.md); ``load_default()`` reads it. Demand *shape*
comes from Caltech ACN-Data, the demand *level* and the fault model from the Santa Barbara County
daily network report.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from importlib import resources
from typing import Any, TypeVar

HOURS_OF_WEEK = 168
PROFILE_RESOURCE = "profile.json"


@dataclass(frozen=True)
class DemandProfile:
    source: str                      # what it was fitted from (file names, session counts)
    timezone: str                    # IANA zone of the arrival pattern
    hour_of_week: tuple[float, ...]  # 168 arrival weights by local hour of week, Monday 00:00 first
    sessions_per_port_day: float     # network mean demand level (SB report)
    dwell_log_mu: float              # connection hours, lognormal: mean / std of ln(hours)
    dwell_log_sigma: float
    dwell_min_h: float               # clip bounds: 1st / 99th percentile of the data
    dwell_max_h: float
    kwh_log_a: float                 # ln(kWh) = a + b*ln(dwell_h) + N(0, sigma)
    kwh_log_b: float
    kwh_log_sigma: float
    kwh_max: float                   # 99th percentile kWh
    charge_fraction_alpha: float     # Beta(alpha, beta) of charging time / connection time
    charge_fraction_beta: float


@dataclass(frozen=True)
class FaultProfile:
    source: str
    stations_estimate: float             # network size implied by the SB report
    faults_per_charger_day: float        # fault-episode start rate per charger per day
    short_share: float                   # share of episodes that are short self-clearing blips
    short_log_mu: float                  # ln(hours) lognormal of short-episode duration
    short_log_sigma: float
    long_log_mu: float                   # ln(hours) lognormal of long-episode duration (untreated)
    long_log_sigma: float
    target_faulted_hours_per_station_day: float  # the report's figure the fit reproduces
    target_fault_day_share: float        # share of station-days with any fault, in the report


@dataclass(frozen=True)
class SimProfile:
    demand: DemandProfile
    faults: FaultProfile

    def to_json(self) -> str:
        doc = {"demand": asdict(self.demand), "faults": asdict(self.faults)}
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SimProfile:
        """Parse and check a profile; a malformed one raises ValueError naming the field."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"profile: not JSON ({exc})") from None
        top = _object(doc, "profile")
        _only_keys(top, ("demand", "faults"), "profile")
        demand = _build(DemandProfile, _object(top.get("demand"), "demand"), "demand")
        faults = _build(FaultProfile, _object(top.get("faults"), "faults"), "faults")
        _check_demand(demand)
        _check_faults(faults)
        return cls(demand, faults)


def load_default() -> SimProfile:
    """The profile shipped in the package (fitted on the real data in ../shared/data)."""
    text = resources.files("ingest.sim").joinpath(PROFILE_RESOURCE).read_text(encoding="utf-8")
    return SimProfile.from_json(text)


_P = TypeVar("_P", DemandProfile, FaultProfile)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object, got {_kind(value)}")
    return value


def _only_keys(obj: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    for name in names:
        if name not in obj:
            raise ValueError(f"{where}.{name}: missing")
    extra = sorted(set(obj) - set(names))
    if extra:
        raise ValueError(f"{where}.{extra[0]}: unknown field")


def _build(cls: type[_P], obj: dict[str, Any], where: str) -> _P:
    specs = fields(cls)
    _only_keys(obj, tuple(f.name for f in specs), where)
    # Annotations are strings here (postponed evaluation); the profile only uses three types.
    values = {f.name: _typed(obj[f.name], str(f.type), f"{where}.{f.name}") for f in specs}
    return cls(**values)


def _typed(value: Any, type_name: str, where: str) -> Any:
    if type_name == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"{where}: expected a non-empty string, got {_kind(value)}")
        return value
    if type_name == "float":
        return _number(value, where)
    if type_name == "tuple[float, ...]":
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list of numbers, got {_kind(value)}")
        return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))
    raise TypeError(f"{where}: unsupported field type {type_name}")  # a programming error


def _number(value: Any, where: str) -> float:
    # bool is an int in Python; a JSON true is not a number of anything here.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, got {_kind(value)}")
    return float(value)


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


def _require(ok: bool, where: str, what: str) -> None:
    if not ok:
        raise ValueError(f"{where}: {what}")


def _check_demand(d: DemandProfile) -> None:
    how = d.hour_of_week
    _require(len(how) == HOURS_OF_WEEK, "demand.hour_of_week",
             f"needs {HOURS_OF_WEEK} weights, got {len(how)}")
    _require(min(how) >= 0.0, "demand.hour_of_week", "weights must not be negative")
    _require(abs(sum(how) - 1.0) < 1e-6, "demand.hour_of_week", f"sums to {sum(how)}, not 1")
    for name in ("sessions_per_port_day", "dwell_log_sigma", "kwh_log_sigma"):
        _require(getattr(d, name) >= 0.0, f"demand.{name}", "must not be negative")
    for name in ("dwell_min_h", "kwh_max", "charge_fraction_alpha", "charge_fraction_beta"):
        _require(getattr(d, name) > 0.0, f"demand.{name}", "must be positive")
    _require(d.dwell_max_h >= d.dwell_min_h, "demand.dwell_max_h", "below dwell_min_h")


def _check_faults(f: FaultProfile) -> None:
    _require(f.stations_estimate > 0.0, "faults.stations_estimate", "must be positive")
    for name in ("faults_per_charger_day", "short_log_sigma", "long_log_sigma",
                 "target_faulted_hours_per_station_day"):
        _require(getattr(f, name) >= 0.0, f"faults.{name}", "must not be negative")
    for name in ("short_share", "target_fault_day_share"):
        _require(0.0 <= getattr(f, name) <= 1.0, f"faults.{name}", "must be in [0, 1]")
