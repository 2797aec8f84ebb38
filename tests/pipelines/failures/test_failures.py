"""Failure features (no look-ahead) and labels (trips ignored) on hand-made cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.warehouse import settings
from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

FAILURES = DEFS / "failures"
USAGE = DEFS / "usage"


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(
        c,
        "dim_chargers",
        [
            {
                "charge_point_id": "CP1",
                "site_id": "S1",
                "rated_kw": 50,
                "connectors": 1,
                "kind": "DC",
                "vendor": "V",
                "model": "M",
                "installed_at": utc("2026-01-20 00:00"),
            },
        ],
    )
    return c


def _features(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    build(conn, "sessions", DEFS / "sessions")  # from the stg_* rows the test put
    for name in ("usage_ports", "charge_attempts"):
        build(conn, name, USAGE)
    build(conn, "faults", FAILURES)
    rows = build(conn, "failure_features", FAILURES)
    return {r["hour"].strftime("%d %H:%M"): r for r in rows}


def _status(rows: list[tuple[str, int, str, str | None]]) -> list[dict[str, Any]]:
    return [
        {
            "charge_point_id": "CP1",
            "received_at": utc(t),
            "port_no": p,
            "status": s,
            "error_code": e,
        }
        for t, p, s, e in rows
    ]


def test_features_use_only_data_before_the_end_of_the_hour(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    put(
        conn,
        "stg_activity",
        [
            {
                "charge_point_id": "CP1",
                "hour": utc("2026-01-30 08:00"),
                "frames_in": 10,
                "max_gap_s": 300,
                "first_in": utc("2026-01-30 08:00"),
                "last_in": utc("2026-01-30 08:59"),
            },
            {
                "charge_point_id": "CP1",
                "hour": utc("2026-01-30 10:00"),
                "frames_in": 4,
                "max_gap_s": 900,
                "first_in": utc("2026-01-30 10:00"),
                "last_in": utc("2026-01-30 10:59"),
            },
        ],
    )
    put(
        conn,
        "stg_alerts",
        [
            {
                "charge_point_id": "CP1",
                "received_at": utc("2026-01-30 09:30"),
                "code": "GroundFailure",
            },
        ],
    )
    put(
        conn,
        "stg_temperature",
        [
            {"charge_point_id": "CP1", "received_at": utc("2026-01-30 08:00"), "celsius": 30},
            {"charge_point_id": "CP1", "received_at": utc("2026-01-30 10:00"), "celsius": 40},
        ],
    )
    before = _features(conn)
    # the spine is dense: 08:00 .. 00:00 (as_of's hour) = 17 hours, 09:00 with no frame included
    assert len(before) == 17
    h10 = before["30 10:00"]
    assert h10["feature_at"] == utc("2026-01-30 11:00")
    assert h10["frames_in_1h"] == 4
    assert h10["frames_in_24h"] == 14  # 10 + 0 + 4
    assert h10["errors_1h"] == 0
    assert h10["errors_24h"] == 1
    assert h10["err_ground_24h"] == 1
    assert h10["hb_gap_max_s_24h"] == 900
    # temperature: 30 degC at t=0 h, 40 degC at t=2 h -> mean 35, max 40, slope 10/2 = 5 degC/h
    assert h10["temp_mean_24h"] == pytest.approx(35)
    assert h10["temp_max_24h"] == 40
    assert h10["temp_slope_per_h_24h"] == pytest.approx(5)
    # installed Jan 20 00:00, feature time Jan 30 11:00: 10 days 11 h
    assert h10["charger_age_days"] == pytest.approx(10 + 11 / 24)
    assert h10["hours_since_fault"] is None
    assert before["30 09:00"]["errors_1h"] == 1
    assert before["30 08:00"]["errors_24h"] == 0

    # a fault, an alert and a reboot one hour later (11:xx) must not change the 10:00 row
    put(
        conn,
        "stg_status",
        _status(
            [
                ("2026-01-30 11:30", 1, "Faulted", "OverVoltage"),
                ("2026-01-30 12:30", 1, "Available", None),
            ]
        ),
    )
    put(
        conn,
        "stg_alerts",
        [
            {
                "charge_point_id": "CP1",
                "received_at": utc("2026-01-30 09:30"),
                "code": "GroundFailure",
            },
            {
                "charge_point_id": "CP1",
                "received_at": utc("2026-01-30 11:30"),
                "code": "OverVoltage",
            },
        ],
    )
    put(conn, "stg_boots", [{"charge_point_id": "CP1", "received_at": utc("2026-01-30 11:40")}])
    after = _features(conn)
    assert after["30 10:00"] == h10
    h11 = after["30 11:00"]
    assert h11["errors_1h"] == 1
    assert h11["reboots_24h"] == 1
    assert h11["hours_since_fault"] == pytest.approx(0.5)  # Faulted at 11:30, feature time 12:00


def test_labels_ignore_a_one_minute_trip_and_flag_a_30_minute_fault(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    put(
        conn,
        "stg_activity",
        [
            {
                "charge_point_id": "CP1",
                "hour": utc("2026-01-29 00:00"),
                "frames_in": 1,
                "first_in": utc("2026-01-29 00:00"),
                "last_in": utc("2026-01-29 00:00"),
            },
        ],
    )
    put(
        conn,
        "stg_status",
        _status(
            [
                ("2026-01-30 05:00", 1, "Faulted", "GroundFailure"),  # 1-minute trip: ignored
                ("2026-01-30 05:01", 1, "Available", None),
                ("2026-01-30 10:00", 1, "Faulted", "OverCurrentFailure"),  # 30 minutes: a fault
                ("2026-01-30 10:30", 1, "Available", None),
            ]
        ),
    )
    _features(conn)
    faults = build(conn, "faults", FAILURES)
    assert [(f["start_at"], f["duration_min"], f["error_code"]) for f in faults] == [
        (utc("2026-01-30 10:00"), 30.0, "OverCurrentFailure")
    ]
    labels = {r["hour"].strftime("%d %H:%M"): r for r in build(conn, "failure_labels", FAILURES)}
    # row 29 09:00: feature time 29 10:00, the fault 24 h later: not strictly within 24 h
    assert labels["29 09:00"]["hours_to_next_fault"] == pytest.approx(24)
    assert labels["29 09:00"]["fault_within_h"] is False
    assert labels["29 09:00"]["fault_within_48h"] is True
    # row 29 10:00: feature time 29 11:00, 23 h before the fault: labelled
    assert labels["29 10:00"]["fault_within_h"] is True
    assert labels["29 10:00"]["fault_within_6h"] is False
    # row 30 04:00: feature time 05:00; the 05:00 trip is ignored, the next fault is 5 h away
    assert labels["30 04:00"]["next_fault_start_at"] == utc("2026-01-30 10:00")
    assert labels["30 04:00"]["fault_within_6h"] is True
    # row 30 10:00: feature time 11:00, no later fault, only 13 h seen before as_of:
    # 24 h label censored (NULL, not final), 6 h label final False
    late = labels["30 10:00"]
    assert late["next_fault_start_at"] is None
    assert late["fault_within_h"] is None
    assert late["label_final"] is False
    assert late["fault_within_6h"] is False
    # labels whose horizon ended by as_of are all final
    assert all(
        r["label_final"] for r in labels.values() if r["feature_at"] <= utc("2026-01-30 00:00")
    )


def _activity(hours: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "charge_point_id": "CP1",
            "hour": utc(h),
            "frames_in": 4,
            "first_in": utc(h),
            "last_in": utc(h).replace(minute=59),
        }
        for h in hours
    ]


def _tx(at: str, event: str, wh: float) -> dict[str, Any]:
    return {
        "charge_point_id": "CP1",
        "received_at": utc(at),
        "charger_time": utc(at),
        "ocpp_version": "1.6",
        "port_no": 1 if event == "started" else None,  # a 1.6 stop names no connector
        "transaction_id": "T1",
        "event": event,
        "meter_wh": wh,
        "auth_status": "Accepted" if event == "started" else None,
        "stop_reason": "Local" if event == "ended" else None,
        "unique_id": f"{event}-{at}",
    }


def _sample(at: str, wh: float, action: str = "MeterValues") -> dict[str, Any]:
    return {
        "charge_point_id": "CP1",
        "received_at": utc(at),
        "charger_time": utc(at),
        "ocpp_version": "1.6",
        "source_action": action,
        "port_no": None if action == "StopTransaction" else 1,
        "transaction_id": "T1",
        "energy_wh": wh,
        "unique_id": f"mv-{at}",
    }


def test_an_hour_s_features_are_the_same_before_and_after_later_data_arrives(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """The build at feature_at (the lake up to then) and a build days later (a session's stop
    and energy, a reboot, warnings after it) give the hour the same row: energy and busy time
    come from what was received by then, not from the session as finally known."""
    early_tx = [_tx("2026-01-30 09:40", "started", 0)]
    early_meter = [
        _sample("2026-01-30 09:40", 0, "StartTransaction"),
        *(_sample(f"2026-01-30 {t}", wh) for t, wh in [("09:55", 1000), ("10:10", 5000),
                                                       ("10:25", 9000), ("10:40", 13000),
                                                       ("10:55", 17000)]),
    ]
    put(conn, "stg_activity", _activity(["2026-01-30 08:00", "2026-01-30 09:00",
                                         "2026-01-30 10:00"]))
    put(conn, "stg_tx_events", early_tx)
    put(conn, "stg_meter", early_meter)
    settings.apply(conn, settings.BuildSettings(), utc("2026-01-30 11:00"))
    h10 = _features(conn)["30 10:00"]
    # 1 kWh by the 09:55 sample, 16 more by 10:55; busy 09:40-11:00 = 20 + 60 port-minutes
    # over the 3 spine hours 08:00-10:00
    assert h10["kwh_24h"] == pytest.approx(17)
    assert h10["util_24h"] == pytest.approx(80 / (3 * 60))

    put(conn, "stg_activity", _activity(["2026-01-30 08:00", "2026-01-30 09:00",
                                         "2026-01-30 10:00", "2026-01-30 11:00",
                                         "2026-01-30 12:00"]))
    put(conn, "stg_tx_events", [*early_tx, _tx("2026-01-30 11:20", "ended", 23000)])
    put(conn, "stg_meter", [*early_meter, _sample("2026-01-30 11:10", 21000),
                            _sample("2026-01-30 11:20", 23000, "StopTransaction")])
    put(conn, "stg_boots", [{"charge_point_id": "CP1", "received_at": utc("2026-01-30 11:40")}])
    put(conn, "stg_alerts", [{"charge_point_id": "CP1", "received_at": utc("2026-01-30 12:10"),
                              "port_no": 1, "code": "GroundFailure", "status": "Available"}])
    settings.apply(conn, settings.BuildSettings(), utc("2026-01-31 00:00"))
    after = _features(conn)
    assert after["30 10:00"] == h10
    assert after["30 11:00"]["kwh_24h"] == pytest.approx(23)  # 4 + 2 kWh received in 11:xx
    assert after["30 12:00"]["warnings_24h"] == 1


def test_warnings_leave_out_the_codes_of_a_faulted_connector(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    put(conn, "stg_activity", _activity(["2026-01-29 00:00"]))
    put(
        conn,
        "stg_status",
        _status([("2026-01-30 06:00", 1, "Faulted", "OverCurrent"),
                 ("2026-01-30 06:05", 1, "Available", None)]),
    )

    def alert(at: str, code: str, status: str | None) -> dict[str, Any]:
        return {"charge_point_id": "CP1", "received_at": utc(at), "port_no": 1, "code": code,
                "status": status, "ocpp_version": "1.6" if status else "2.0.1"}

    put(
        conn,
        "stg_alerts",
        [
            alert("2026-01-29 20:30", "OverVoltage", "Available"),  # 1.6: a warning
            alert("2026-01-30 06:00", "OverCurrent", None),  # 2.0.1, after its Faulted status
            alert("2026-01-30 08:15", "GroundFailure", None),  # 2.0.1, connector Available
            alert("2026-01-30 09:20", "GroundFailure", "Charging"),
        ],
    )
    rows = _features(conn)
    h9 = rows["30 09:00"]  # feature time 10:00
    assert h9["errors_24h"] == 4
    assert h9["warnings_24h"] == 3
    assert h9["warnings_6h"] == 2
    assert h9["warn_overcurrent_24h"] == 0
    assert h9["err_overcurrent_24h"] == 1
    assert h9["warn_ground_6h"] == 2
    assert h9["warning_families_24h"] == 2
    assert h9["hours_since_warning"] == pytest.approx(40 / 60)  # the 09:20 warning
    assert h9["warning_span_h_96h"] == pytest.approx(13.5)  # building since 20:30 the day before
    assert rows["29 19:00"]["hours_since_warning"] is None
