"""Fault-type routing on a synthetic network where each fault's type is known: over-temperature
warnings come before power-module faults (HighTemperature), lock warnings before stuck locks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models.fault import routing
from models.fault.dataset import Frame
from models.fault.split import Split

COLUMNS = ["warn_high_temperature_24h", "warn_connector_lock_24h", "errors_24h"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def part(rng: np.random.Generator, first_day: int, faults: list[dict[str, object]]) -> Frame:
    """Per fault: 6 positive hours before its onset, features by its type; 30 quiet hours."""
    rows, keys = [], []
    for i in range(20):
        code = "HighTemperature" if i % 2 else "ConnectorLockFailure"
        cp = f"CP{first_day}-{i}"
        onset = T0 + timedelta(days=first_day + i * 0.5, hours=12)
        faults.append({"charge_point_id": cp, "start_at": onset, "error_code": code})
        for h in range(1, 7):
            signal = rng.normal(4, 1)
            hot, lock = (signal, 0.0) if code == "HighTemperature" else (0.0, signal)
            rows.append((hot, lock, rng.poisson(2), 1))
            keys.append((cp, onset - timedelta(hours=h), onset))
    for h in range(30):
        rows.append((0.0, 0.0, 0.0, 0))
        keys.append((f"CP{first_day}-q", T0 + timedelta(days=first_day, hours=h), None))
    data = np.array(rows, dtype=float)
    k = pl.DataFrame(keys, schema={"charge_point_id": pl.String,
                                   "feature_at": pl.Datetime("us", "UTC"),
                                   "next_fault_start_at": pl.Datetime("us", "UTC")}, orient="row")
    k = k.with_columns(pl.col("feature_at").dt.date().alias("day"))
    return Frame(data[:, :3], data[:, 3].astype(np.int8), COLUMNS, k)


@pytest.fixture(scope="module")
def fitted() -> routing.RouterFit:
    rng = np.random.default_rng(3)
    faults: list[dict[str, object]] = []
    train, valid, test = part(rng, 0, faults), part(rng, 20, faults), part(rng, 40, faults)
    split = Split(train, valid, test, (T0, T0))
    frame = pl.DataFrame(faults, schema={"charge_point_id": pl.String,
                                         "start_at": pl.Datetime("us", "UTC"),
                                         "error_code": pl.String})
    return routing.fit_router(split, frame, seed=0)


def test_router_tells_technician_faults_from_curable_on_test(fitted: routing.RouterFit) -> None:
    test = fitted.card["test"]
    assert test["rows"] == 120
    matrix = test["reset_vs_technician"]
    assert matrix["true_technician"]["routed_technician"] >= 55  # of 60
    assert matrix["true_reset"]["routed_reset"] >= 55
    assert test["by_type"]["power_module"].get("power_module", 0) >= 55


def test_route_of_an_alert_names_type_probability_features_and_parts(
    fitted: routing.RouterFit,
) -> None:
    hot = routing.Alert("CP9", 0.4, {"warn_high_temperature_24h": 5.0,
                                     "warn_connector_lock_24h": 0.0, "errors_24h": 2.0})
    r = routing.route(hot, fitted.router)
    assert r.technician
    assert r.basis == "model"
    assert r.fault_type == "power_module"
    assert r.technician_probability > 0.8
    assert "power module" in r.suggested_parts
    assert r.top_features[0]["feature"] == "warn_high_temperature_24h"
    lock = routing.Alert("CP8", 0.4, {"warn_high_temperature_24h": 0.0,
                                      "warn_connector_lock_24h": 5.0, "errors_24h": 2.0})
    r = routing.route(lock, fitted.router)
    assert r.route == routing.RESET
    assert r.fault_type == "connector_lock"
    assert r.suggested_parts == ()


def test_a_live_error_code_decides_by_itself() -> None:
    r = routing.route(routing.Alert("CP1", 0.9, {}, error_code="GroundFailure"), None)
    assert (r.route, r.fault_type, r.basis) == (routing.TECHNICIAN, "ground_fault", "error_code")
    r = routing.route(routing.Alert("CP1", 0.9, {}), None)
    assert r.route == routing.RESET
    assert r.basis == "no_router"


def test_the_shipped_default_model_routes(tmp_path: Path) -> None:
    """A data folder with no model of its own routes with the default's router."""
    router = routing.current_router(tmp_path)
    assert router is not None
    assert {"HighTemperature", "InternalError"} <= set(router.codes)
    hot = {c: 0.0 for c in router.columns} | {"warn_high_temperature_24h": 6.0,
                                              "warn_high_temperature_6h": 4.0,
                                              "temp_6h_above_7d": 20.0}
    r = routing.route(routing.Alert("CP-1", 0.5, hot), router)
    assert 0.0 <= r.technician_probability <= 1.0
    assert r.route in (routing.RESET, routing.TECHNICIAN)
