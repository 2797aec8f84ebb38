"""The simulator's profile: fitted numbers on hand-made files, the shipped profile.json is the fit
of the real data (Caltech ACN-Data, Lee, Li and Low, e-Energy 2019; County of Santa Barbara daily
network report), malformed profiles are refused, and the fault model gives back the report's
faulted hours."""

from __future__ import annotations

import json
import math
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.sim import fit_faults
from ingest.sim.fit_demand import fit_demand
from ingest.sim.fit_faults import FaultParams, expected_hours_per_station_day
from ingest.sim.fit_profile import fit_profile, main
from ingest.sim.profile import FaultProfile, SimProfile, load_default
from tests.floats import assert_close

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"
ACN_REAL = DATA / "acn_caltech_sessions_2020-2021.json"
SB_REAL = DATA / "sb_county_daily_2020-2024.csv"
SHIPPED = ROOT / "ingest" / "sim" / "profile.json"

# --- hand-made files ----------------------------------------------------------------------

# Four AC sessions, all on a Tuesday at 09:xx local time (two in winter, PST = UTC-8, two in
# summer, PDT = UTC-7), of 1, 2, 4 and 8 hours, with kWh = 3 * dwell^0.5 exactly and charging
# shares 1/4, 1/2, 1/2, 3/4. One DC session (40 kW on average) that the fit must leave out.
AC = [  # (UTC connection, dwell h, charging h)
    (datetime(2021, 3, 2, 17, 10, tzinfo=UTC), 1.0, 0.25),
    (datetime(2021, 3, 9, 17, 20, tzinfo=UTC), 2.0, 1.0),
    (datetime(2021, 7, 6, 16, 30, tzinfo=UTC), 4.0, 2.0),
    (datetime(2021, 7, 13, 16, 40, tzinfo=UTC), 8.0, 6.0),
]
TUESDAY_9AM = 24 + 9  # hour of week, Monday 00:00 = 0

SB_HEADER = ("Day,Started Sessions,Completed Sessions,AVG session duration (minutes),"
             "Utilization (%),Faulted Stations,Time in Faulted State (hours),Uptime (%)")
SB_ROWS = [
    "2023-12-31,999,999,9999,1,9,99.00,-",     # outside 2024: must not count
    "2024-01-01,10,10,288,20,1,0.50,-",         # 2880 session-minutes, 288 port-minutes/port
    "2024-01-02,5,5,144,5,-,0.00,-",            # 720 / 72; no fault ('-')
    "2024-01-03,5,5,null,10,2,24.50,-",         # no duration: left out of the station count
]


def _rfc1123(t: datetime) -> str:
    return t.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _acn_item(station: str, start: datetime, dwell_h: float, kwh: float,
              charging_h: float | None) -> dict[str, Any]:
    done = None if charging_h is None else _rfc1123(start + timedelta(hours=charging_h))
    return {"stationID": station, "connectionTime": _rfc1123(start),
            "disconnectTime": _rfc1123(start + timedelta(hours=dwell_h)),
            "doneChargingTime": done, "kWhDelivered": kwh, "userID": "1"}


@pytest.fixture
def acn_tiny(tmp_path: Path) -> Path:
    items = [_acn_item(f"AC-{n % 2}", t, dwell, 3.0 * math.sqrt(dwell), charging)
             for n, (t, dwell, charging) in enumerate(AC)]
    items.append(_acn_item("DC-1", datetime(2021, 3, 3, 20, 0, tzinfo=UTC), 0.5, 20.0, None))
    path = tmp_path / "acn.json"
    path.write_text(json.dumps({"_meta": {"site": "test"}, "_items": items}))
    return path


@pytest.fixture
def sb_tiny(tmp_path: Path) -> Path:
    path = tmp_path / "sb.csv"
    path.write_text("\n".join([SB_HEADER, *SB_ROWS]) + "\n", encoding="utf-8-sig")  # with a BOM
    return path


def test_demand_fit_on_hand_made_sessions(acn_tiny: Path, sb_tiny: Path) -> None:
    d = fit_demand(acn_tiny, sb_tiny)
    # Hour of week: 4 sessions at Tuesday 09:00 plus ½ in each of the 168 hours.
    assert max(range(168), key=lambda h: d.hour_of_week[h]) == TUESDAY_9AM
    assert d.hour_of_week[TUESDAY_9AM] == pytest.approx(4.5 / 88.0, rel=1e-12)
    assert d.hour_of_week[0] == pytest.approx(0.5 / 88.0, rel=1e-12)
    assert sum(d.hour_of_week) == pytest.approx(1.0, rel=1e-12)
    # ln(dwell) = 0, ln2, 2 ln2, 3 ln2: mean 1.5 ln2, population std ln2 * sqrt(5)/2.
    ln2 = math.log(2.0)
    assert d.dwell_log_mu == pytest.approx(1.5 * ln2, rel=1e-12)
    assert d.dwell_log_sigma == pytest.approx(ln2 * math.sqrt(5.0) / 2.0, rel=1e-12)
    # Percentiles by linear interpolation over 1, 2, 4, 8 (positions 0.03 and 2.97).
    assert d.dwell_min_h == pytest.approx(1.03, rel=1e-12)
    assert d.dwell_max_h == pytest.approx(4.0 + 0.97 * 4.0, rel=1e-12)
    # kWh = 3 * dwell^0.5 exactly: the regression recovers ln 3 and 0.5 with no residual.
    assert d.kwh_log_a == pytest.approx(math.log(3.0), rel=1e-12)
    assert d.kwh_log_b == pytest.approx(0.5, rel=1e-12)
    assert d.kwh_log_sigma == pytest.approx(0.0, abs=1e-12)
    assert d.kwh_max == pytest.approx(6.0 + 0.97 * (3.0 * math.sqrt(8.0) - 6.0), rel=1e-12)
    # Shares 1/4, 1/2, 1/2, 3/4: mean 1/2, variance 1/32, so alpha = beta = 0.25*32 - 1 = 7, halved.
    assert d.charge_fraction_alpha == pytest.approx(3.5, rel=1e-12)
    assert d.charge_fraction_beta == pytest.approx(3.5, rel=1e-12)
    # Level: (20 sessions in 2024) / 10 stations / 3 days.
    assert d.sessions_per_port_day == pytest.approx(20.0 / 10.0 / 3.0, rel=1e-12)
    assert d.timezone == "America/Los_Angeles"
    assert "4 AC sessions on 2 stations" in d.source
    assert "1 sessions on 1 DC station(s) left out" in d.source


def test_fault_fit_on_a_hand_made_report(sb_tiny: Path) -> None:
    f = fit_faults.fit_faults(sb_tiny)
    # Stations: (2880 + 720) session-minutes / ((0.20 + 0.05) * 1440) minutes = 10.
    assert f.stations_estimate == pytest.approx(10.0, rel=1e-12)
    # 25 faulted hours over 10 stations x 3 days; 3 faulted station-days of 30.
    assert f.target_faulted_hours_per_station_day == pytest.approx(25.0 / 30.0, rel=1e-12)
    assert f.target_fault_day_share == pytest.approx(0.1, rel=1e-12)
    # The model's expected faulted hours are the report's by construction.
    assert expected_hours_per_station_day(_params(f)) == pytest.approx(25.0 / 30.0, rel=1e-9)
    assert 0.0 < f.faults_per_charger_day <= fit_faults.RATE_MAX
    assert 0.0 < f.short_share < 1.0
    assert "3 days, 2 with faults" in f.source


def test_the_fit_is_deterministic(sb_tiny: Path) -> None:
    assert fit_faults.fit_faults(sb_tiny, seed=3) == fit_faults.fit_faults(sb_tiny, seed=3)


def test_a_report_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sb.csv"
    path.write_text("Day,Started Sessions\n2024-01-01,3\n")
    with pytest.raises(ValueError, match="AVG session duration"):
        fit_faults.fit_faults(path)


# --- the shipped profile is the fit of the real data --------------------------------------

def _real_data() -> None:
    if not (ACN_REAL.is_file() and SB_REAL.is_file()):
        pytest.skip(f"the shared real data is not here: {DATA} (needs {ACN_REAL.name} and "
                    f"{SB_REAL.name}); the shipped profile cannot be checked against a refit")


@pytest.mark.slow
def test_shipped_profile_is_the_fit_of_the_real_data() -> None:
    _real_data()
    refit = fit_profile(ACN_REAL, SB_REAL)
    shipped = SimProfile.from_json(SHIPPED.read_text(encoding="utf-8"))
    for part in ("demand", "faults"):
        a, b = getattr(refit, part), getattr(shipped, part)
        for f in fields(a):
            got, want = getattr(a, f.name), getattr(b, f.name)
            if isinstance(want, str):
                assert got == want, f"{part}.{f.name}"
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=0.0), f"{part}.{f.name}"


@pytest.mark.slow
def test_main_writes_the_profile(tmp_path: Path) -> None:
    _real_data()
    out = tmp_path / "profile.json"
    assert main([str(ACN_REAL), str(SB_REAL), str(out)]) == 0
    # The fit is numpy least squares and quantiles: compare within rounding, as on another CPU.
    assert_close(SimProfile.from_json(out.read_text()), SimProfile.from_json(SHIPPED.read_text()))


def test_main_usage() -> None:
    assert main(["only-one"]) == 2


def test_load_default_and_round_trip() -> None:
    profile = load_default()
    assert SimProfile.from_json(profile.to_json()) == profile
    assert len(profile.demand.hour_of_week) == 168
    assert min(profile.demand.hour_of_week) > 0.0


# --- malformed profiles -------------------------------------------------------------------

def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(load_default().to_json())
    return doc


def _set(part: str, name: str, value: Any) -> str:
    doc = _doc()
    doc[part][name] = value
    return json.dumps(doc)


def _drop(part: str, name: str) -> str:
    doc = _doc()
    del doc[part][name]
    return json.dumps(doc)


@pytest.mark.parametrize(("text", "named"), [
    ("{not json", "not JSON"),
    ("[]", "profile"),
    (json.dumps({"demand": {}}), "profile.faults: missing"),
    (_drop("demand", "dwell_log_mu"), "demand.dwell_log_mu: missing"),
    (_set("faults", "short_share", "high"), "faults.short_share"),
    (_set("faults", "short_share", 1.5), "faults.short_share"),
    (_set("demand", "kwh_max", True), "demand.kwh_max"),
    (_set("demand", "kwh_max", None), "demand.kwh_max"),
    (_set("demand", "hour_of_week", [1.0 / 24] * 24), "demand.hour_of_week"),
    (_set("demand", "hour_of_week", [*[1.0 / 168] * 3, "x", *[1.0 / 168] * 164]),
     "demand.hour_of_week[3]"),
    (_set("demand", "hour_of_week", [1.0] * 168), "demand.hour_of_week"),
    (_set("demand", "timezone", ""), "demand.timezone"),
    (_set("demand", "surprise", 1.0), "demand.surprise: unknown field"),
    (_set("faults", "stations_estimate", -3.0), "faults.stations_estimate"),
    (_set("demand", "dwell_max_h", 0.01), "demand.dwell_max_h"),
])
def test_malformed_profile_names_the_field(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        SimProfile.from_json(text)


# --- the fault model gives back the report's faulted hours --------------------------------

def _params(f: FaultProfile) -> FaultParams:
    return FaultParams(f.faults_per_charger_day, f.short_share, f.short_log_mu,
                       f.short_log_sigma, f.long_log_mu, f.long_log_sigma)


@pytest.mark.parametrize(("seed", "days"), [(0, fit_faults.SIM_DAYS), (1, 2 * fit_faults.SIM_DAYS)])
def test_simulated_faulted_hours_match_the_report(seed: int, days: int) -> None:
    faults = load_default().faults
    target = faults.target_faulted_hours_per_station_day
    assert expected_hours_per_station_day(_params(faults)) == pytest.approx(target, rel=1e-9)
    simulated = fit_faults.simulated_days(fit_faults.simulate_profile(faults, days, seed))
    # A few long faults carry most hours, so one simulated decade is within sampling noise.
    assert simulated.hours_per_station_day == pytest.approx(target, rel=0.25)
    assert simulated.fault_day_share == pytest.approx(faults.target_fault_day_share, rel=0.25)


def test_profile_is_frozen() -> None:
    profile = load_default()
    with pytest.raises(AttributeError):
        profile.demand.dwell_log_mu = 0.0  # type: ignore[misc]
    assert replace(profile.faults, short_share=0.5).short_share == 0.5
