"""The simulated charger's profile stack on hand-computed cases: purposes, stack levels,
validity, amps to watts, Relative schedules, and the composite schedule it reports."""

from __future__ import annotations

import math

import pytest

from ingest.sim.clock import iso
from ingest.sim.ev_battery import EvBattery
from ingest.sim.smart_charging import ProfileStore, parse_profile

T0 = 1_700_000_000.0


def _raw(purpose: str, pid: int, stack: int, periods: list[tuple[int, float]], unit: str = "W",
         **extra: object) -> dict[str, object]:
    schedule: dict[str, object] = {"charging_rate_unit": unit, "charging_schedule_period": [
        {"start_period": at, "limit": limit} for at, limit in periods]}
    if "start" in extra:
        schedule["start_schedule"] = iso(float(extra.pop("start")))  # type: ignore[arg-type]
    return {"charging_profile_id": pid, "stack_level": stack, "charging_profile_purpose": purpose,
            "charging_profile_kind": "Absolute" if "start_schedule" in schedule else "Relative",
            "charging_schedule": schedule, **extra}


def _store(*profiles: tuple[dict[str, object], int], tx_started: float | None = T0) -> ProfileStore:
    store = ProfileStore()
    for raw, connector in profiles:
        assert store.install(parse_profile(raw, connector, T0, tx_started), True) == "Accepted"
    return store


def test_no_profile_no_limit_and_defaults_come_from_connector_0() -> None:
    assert ProfileStore().limit_w(1, T0, True) == math.inf
    store = _store((_raw("TxDefaultProfile", 1, 0, [(0, 16.0)], unit="A"), 0))
    assert store.limit_w(1, T0, False) == pytest.approx(16 * 230 * 3)


def test_tx_profile_beats_the_default_and_the_charger_maximum_caps_both() -> None:
    store = _store((_raw("TxDefaultProfile", 1, 0, [(0, 5000.0)]), 0),
                   (_raw("TxProfile", 2, 1, [(0, 9000.0), (600, 3000.0)]), 1),
                   (_raw("ChargePointMaxProfile", 3, 0, [(0, 8000.0)]), 0))
    assert store.limit_w(1, T0 + 10, True) == pytest.approx(8000.0)
    assert store.limit_w(1, T0 + 700, True) == pytest.approx(3000.0)
    assert store.limit_w(1, T0 + 10, False) == pytest.approx(5000.0)  # no transaction: default
    assert store.composite(1, T0, 1200, True, 22_000.0) == [(0, 8000.0), (600, 3000.0)]


def test_a_lapsed_lease_falls_back_to_the_lower_stack_level() -> None:
    lease = _raw("TxDefaultProfile", 2, 1, [(0, 0.0)], start=T0, valid_to=iso(T0 + 300))
    store = _store((_raw("TxDefaultProfile", 1, 0, [(0, 4000.0)]), 0), (lease, 1))
    assert store.limit_w(1, T0 + 299, False) == pytest.approx(0.0)
    assert store.limit_w(1, T0 + 300, False) == pytest.approx(4000.0)
    assert store.composite(1, T0, 600, False, 22_000.0) == [(0, 0.0), (300, 4000.0)]


def test_a_tx_profile_needs_a_transaction_and_ends_with_it() -> None:
    store = ProfileStore()
    tx = parse_profile(_raw("TxProfile", 5, 1, [(0, 1000.0)]), 1, T0, None)
    assert store.install(tx, has_tx=False) == "Rejected"
    assert store.install(tx, has_tx=True) == "Accepted"
    store.end_transaction(1)
    assert store.limit_w(1, T0, True) == math.inf
    max_on_1 = parse_profile(_raw("ChargePointMaxProfile", 6, 0, [(0, 1.0)]), 1, T0, None)
    assert store.install(max_on_1, has_tx=True) == "Rejected"


def test_the_battery_tapers_above_80_percent() -> None:
    car = EvBattery(capacity_kwh=50.0, soc=0.9, max_kw=10.0)
    assert car.accepts_kw() == pytest.approx(5.0)  # half-way from 80 % to full
    assert EvBattery(50.0, 0.5, 10.0).draw(7.0, 3600) == pytest.approx(7.0)  # the limit binds
    full = EvBattery(50.0, 0.999, 10.0)
    assert full.draw(7.0, 3600) == pytest.approx(0.05, rel=1e-6)  # only what is left
