"""Flattening meter values: defaults from the specs, multipliers, unreadable values."""

from __future__ import annotations

from pathlib import Path

from csms_lite import meter_rows
from csms_lite.config import CsmsConfig
from csms_lite.handlers.context import CallContext
from csms_lite.registry.store import Registry
from csms_lite.state import ChargerState


def _ctx(tmp_path: Path, version: str) -> CallContext:
    charger = ChargerState("CP", ocpp_version=version)
    return CallContext(charger, Registry(tmp_path / "r.sqlite"), CsmsConfig(data_dir=tmp_path),
                       "n1", 1000.0, "uid-1")


def test_v16_defaults_and_signed_data(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, "1.6")
    meter_rows.add_v16(ctx, "MeterValues", 1, 7, [{"timestamp": "2026-01-01T00:00:00Z",
                                                   "sampledValue": [
                                                       {"value": "12.5"},
                                                       {"value": "abc", "format": "SignedData"},
                                                   ]}])
    (t1, r1), (_, r2) = ctx.rows
    assert t1 == "meter_values"
    assert r1 == (1000.0, "n1", "CP", "1.6", "uid-1", "MeterValues", None, 1, "7", 1767225600.0,
                  "Energy.Active.Import.Register", None, "Outlet", "Sample.Periodic", "Wh", 12.5)
    assert r2[-1] is None


def test_v2_multiplier_and_bad_timestamp(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, "2.0.1")
    meter_rows.add_v2(ctx, "MeterValues", 2, None, None, [{"timestamp": "garbage", "sampledValue": [
        {"value": 3.3, "measurand": "Current.Import", "phase": "L1",
         "unitOfMeasure": {"unit": "A", "multiplier": -1}}]}])
    row = ctx.rows[0][1]
    assert row[6] == 2
    assert row[9] is None  # the charger's time could not be read: null, not a guess
    assert row[10:] == ("Current.Import", "L1", "Outlet", "Sample.Periodic", "A",
                        3.3 * 10.0**-1)
