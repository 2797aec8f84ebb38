"""Staging on real-data shapes, from a lake written frame by frame (meter rows by the lake's own
converter), built as a staging run builds it; sessions from that staging. Numbers by hand.

- A TransactionEvent, StartTransaction or StopTransaction we answered with a CALLERROR starts,
  updates or ends nothing.
- A second StopTransaction with another meterStop flags the session; an identical retry does not.
- stg_meter: kWh/kW in Wh/W with the reading as sent beside it; signed (OCMF) readings kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import connect, settings, staging_build
from pipelines.warehouse.layout import Layout
from tests.pipelines.lake_fixture import FixtureLake, at, iso
from tests.pipelines.warehouse_kit import warehouse_conn

DAYS = ["2026-03-01", "2026-03-02"]
AS_OF = at("2026-03-02 12:00")
OCMF = 'OCMF|{"FV":"1.0","RD":[{"RV":12.345,"RU":"kWh"}]}|{"SD":"3045"}'


def _te(
    when: str, event: str, tx: str, wh: float, seq: int, tag: str | None = None
) -> dict[str, Any]:
    """A 2.0.1 TransactionEvent payload on EVSE 1 with its energy register."""
    payload: dict[str, Any] = {
        "eventType": event,
        "timestamp": iso(at(when)),
        "seqNo": seq,
        "triggerReason": "Authorized" if event == "Started" else "MeterValuePeriodic",
        "transactionInfo": {"transactionId": tx},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": iso(at(when)),
                "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}],
            }
        ],
    }
    if tag:
        payload["idToken"] = {"idToken": tag, "type": "ISO14443"}
    return payload


def _stop16(when: str, tx: int, meter_wh: int) -> dict[str, Any]:
    return {
        "transactionId": tx,
        "meterStop": meter_wh,
        "timestamp": iso(at(when)),
        "reason": "Local",
    }


def _start16(when: str, port: int, meter_wh: int) -> dict[str, Any]:
    return {
        "connectorId": port,
        "idTag": "TAG1",
        "meterStart": meter_wh,
        "timestamp": iso(at(when)),
    }


ACCEPTED = {"idTagInfo": {"status": "Accepted"}}


def build_lake(data_dir: Path) -> None:
    lake = FixtureLake(data_dir)
    v2 = "2.0.1"
    # E (2.0.1), tx E-1: Started 10:00 at 0 Wh, Updated 10:30 at 4000; an Ended at 10:40 we
    # refused (FormationViolation) with 9999 Wh; the charger's corrected Ended at 10:45, 5000 Wh.
    # -> ends 10:45, 5 kWh; the refused frame is no event and no stop.
    lake.frame(
        at("2026-03-01 10:00"),
        "E",
        "TransactionEvent",
        _te("2026-03-01 10:00", "Started", "E-1", 0, 0, "TAG1"),
        {"idTokenInfo": {"status": "Accepted"}},
        version=v2,
    )
    lake.frame(
        at("2026-03-01 10:30"),
        "E",
        "TransactionEvent",
        _te("2026-03-01 10:30", "Updated", "E-1", 4000, 1),
        {},
        version=v2,
    )
    lake.frame(
        at("2026-03-01 10:40"),
        "E",
        "TransactionEvent",
        _te("2026-03-01 10:40", "Ended", "E-1", 9999, 2),
        version=v2,
        error="FormationViolation",
    )
    lake.frame(
        at("2026-03-01 10:45"),
        "E",
        "TransactionEvent",
        _te("2026-03-01 10:45", "Ended", "E-1", 5000, 3),
        {},
        version=v2,
    )
    # E, tx E-2: its only frame, a Started we refused -> no session at all.
    lake.frame(
        at("2026-03-01 11:00"),
        "E",
        "TransactionEvent",
        _te("2026-03-01 11:00", "Started", "E-2", 5000, 0, "TAG1"),
        version=v2,
        error="InternalError",
    )
    # A (1.6): a StartTransaction we refused (no transaction id was given) -> no event.
    lake.frame(
        at("2026-03-01 09:00"),
        "A",
        "StartTransaction",
        _start16("2026-03-01 09:00", 1, 100),
        error="PropertyConstraintViolation",
    )
    # A, tx 5: 1000 -> a StopTransaction at 10:20 we refused (meterStop 99999), its retry at
    # 10:21 accepted with 3000 -> ends 10:21, 2 kWh.
    lake.frame(
        at("2026-03-01 10:00"),
        "A",
        "StartTransaction",
        _start16("2026-03-01 10:00", 1, 1000),
        {"transactionId": 5, **ACCEPTED},
    )
    lake.frame(
        at("2026-03-01 10:20"),
        "A",
        "StopTransaction",
        _stop16("2026-03-01 10:20", 5, 99999),
        error="InternalError",
    )
    lake.frame(
        at("2026-03-01 10:21"), "A", "StopTransaction", _stop16("2026-03-01 10:21", 5, 3000), {}
    )
    # A, tx 6: stopped at 12:00 with 4000 Wh, the same stop retried at 12:01 -> harmless.
    lake.frame(
        at("2026-03-01 11:00"),
        "A",
        "StartTransaction",
        _start16("2026-03-01 11:00", 1, 3000),
        {"transactionId": 6, **ACCEPTED},
    )
    for minute in ("12:00", "12:01"):
        lake.frame(
            at(f"2026-03-01 {minute}"),
            "A",
            "StopTransaction",
            _stop16("2026-03-01 12:00", 6, 4000),
            {},
        )
    # A, tx 7: stopped at 14:00 with 6000 Wh, then another stop of tx 7 at 14:05 saying 6500:
    # a conflict. The first stop stands (6000 - 4000 = 2 kWh, ends 14:00) and is flagged.
    lake.frame(
        at("2026-03-01 13:00"),
        "A",
        "StartTransaction",
        _start16("2026-03-01 13:00", 1, 4000),
        {"transactionId": 7, **ACCEPTED},
    )
    lake.frame(
        at("2026-03-01 14:00"), "A", "StopTransaction", _stop16("2026-03-01 14:00", 7, 6000), {}
    )
    lake.frame(
        at("2026-03-01 14:05"), "A", "StopTransaction", _stop16("2026-03-01 14:05", 7, 6500), {}
    )
    # K (1.6), tx 9: meter values in kWh / kW, a reactive register in kvarh, then a signed
    # (OCMF) reading beside the plain one, then a sample that is only signed.
    lake.frame(
        at("2026-03-01 15:00"),
        "K",
        "StartTransaction",
        _start16("2026-03-01 15:00", 1, 12000),
        {"transactionId": 9, **ACCEPTED},
    )
    values = [
        {"value": "12.345", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
        {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"},
        {"value": "1.5", "measurand": "Energy.Reactive.Import.Register", "unit": "kvarh"},
    ]
    meter = {
        "connectorId": 1,
        "transactionId": 9,
        "meterValue": [{"timestamp": "2026-03-01T15:10:00Z", "sampledValue": values}],
    }
    lake.frame(at("2026-03-01 15:10"), "K", "MeterValues", meter, {})
    signed = [
        {"value": "12.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
        {"value": OCMF, "format": "SignedData", "measurand": "Energy.Active.Import.Register"},
    ]
    meter = {
        "connectorId": 1,
        "transactionId": 9,
        "meterValue": [{"timestamp": "2026-03-01T15:20:00", "sampledValue": signed}],
    }
    lake.frame(at("2026-03-01 15:20"), "K", "MeterValues", meter, {})  # naive time: UTC
    only = [{"value": OCMF, "format": "SignedData", "context": "Transaction.End"}]
    stop = {
        **_stop16("2026-03-01 15:30", 9, 12600),
        "transactionData": [{"timestamp": "2026-03-01T15:29:00Z", "sampledValue": only}],
    }
    lake.frame(at("2026-03-01 15:30"), "K", "StopTransaction", stop, {})
    # S (2.0.1), tx S-1: an Updated with a signed register (signedMeterValue, OCMF) in kWh.
    lake.frame(
        at("2026-03-01 16:00"),
        "S",
        "TransactionEvent",
        _te("2026-03-01 16:00", "Started", "S-1", 0, 0, "TAG1"),
        {"idTokenInfo": {"status": "Accepted"}},
        version=v2,
    )
    te = _te("2026-03-01 16:30", "Updated", "S-1", 0, 1)
    te["meterValue"][0]["sampledValue"] = [
        {
            "value": 7.5,
            "measurand": "Energy.Active.Import.Register",
            "unitOfMeasure": {"unit": "KWH"},
            "signedMeterValue": {
                "signedMeterData": "T0NNRnx7fQ==",
                "signingMethod": "ECDSA",
                "encodingMethod": "OCMF",
                "publicKey": "MFkw",
            },
        },
    ]
    lake.frame(at("2026-03-01 16:30"), "S", "TransactionEvent", te, {}, version=v2)
    for cp, version in (("A", "1.6"), ("E", v2), ("K", "1.6"), ("S", v2)):
        lake.heartbeat(AS_OF, cp, version=version)
    lake.write()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("data")
    build_lake(data_dir)
    for name, sql_file in staging_sql_files().items():
        staging_build.build_partitions(
            Layout(data_dir), name, sql_file, DAYS, settings.BuildSettings(), threads=1
        )
    return data_dir


@pytest.fixture(scope="module")
def conn(data_dir: Path) -> duckdb.DuckDBPyConnection:
    return warehouse_conn(data_dir, as_of=AS_OF)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    rel = conn.execute(sql)
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def _sessions(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["session_id"]: r for r in _rows(conn, "SELECT * FROM sessions")}


def test_a_transaction_event_we_refused_is_no_event(conn: duckdb.DuckDBPyConnection) -> None:
    events = _rows(
        conn, "SELECT * FROM stg_tx_events WHERE charge_point_id = 'E' ORDER BY received_at"
    )
    assert [(e["transaction_id"], e["event"], e["seq_no"]) for e in events] == [
        ("E-1", "started", 0),
        ("E-1", "updated", 1),
        ("E-1", "ended", 3),
    ]
    sessions = _sessions(conn)
    assert "E:E-2" not in sessions  # its only frame was refused
    s = sessions["E:E-1"]
    assert s["end_at"] == at("2026-03-01 10:45")
    assert s["energy_kwh"] == pytest.approx(5.0, rel=1e-9)  # 5000 - 0 Wh, not 9999
    assert (s["duplicate_events"], s["duplicate_stop_conflict"]) == (0, False)


def test_a_1_6_start_or_stop_we_refused_is_no_event(conn: duckdb.DuckDBPyConnection) -> None:
    events = _rows(
        conn,
        "SELECT * FROM stg_tx_events WHERE charge_point_id = 'A' "
        "AND received_at < '2026-03-01 10:30+00' ORDER BY received_at",
    )
    assert [(e["transaction_id"], e["event"], e["meter_wh"]) for e in events] == [
        ("5", "started", 1000.0),
        ("5", "ended", 3000.0),
    ]  # no row without a transaction id, no 99999 stop
    s = _sessions(conn)["A:5"]
    assert s["end_at"] == at("2026-03-01 10:21")
    assert s["energy_kwh"] == pytest.approx(2.0, rel=1e-9)
    assert s["duplicate_stop_conflict"] is False


def test_an_identical_stop_retry_is_harmless(conn: duckdb.DuckDBPyConnection) -> None:
    s = _sessions(conn)["A:6"]
    assert s["end_at"] == at("2026-03-01 12:00")
    assert s["energy_kwh"] == pytest.approx(1.0, rel=1e-9)  # 4000 - 3000
    assert (s["duplicate_events"], s["duplicate_stop_conflict"]) == (1, False)


def test_a_conflicting_stop_flags_the_session(conn: duckdb.DuckDBPyConnection) -> None:
    s = _sessions(conn)["A:7"]
    assert s["duplicate_stop_conflict"] is True
    assert s["duplicate_events"] == 1
    assert s["end_at"] == at("2026-03-01 14:00")  # the first stop received still stands
    assert s["meter_stop_wh"] == pytest.approx(6000.0, rel=1e-9)
    assert s["energy_kwh"] == pytest.approx(2.0, rel=1e-9)


def test_the_sessions_sql_comment_documents_the_flag() -> None:
    from tests.pipelines.warehouse_kit import DEFS

    text = (DEFS / "sessions" / "sessions.sql").read_text()
    assert "duplicate_stop_conflict" in text.split("WITH", 1)[0]


def test_meter_units_normalised_with_the_reading_as_sent(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(
        conn,
        "SELECT * FROM stg_meter WHERE charge_point_id = 'K' "
        "AND source_action = 'MeterValues' ORDER BY received_at",
    )
    first, second = rows
    assert first["energy_wh"] == pytest.approx(12345.0, rel=1e-9)
    assert (first["energy_sent"], first["energy_unit"]) == (pytest.approx(12.345), "kWh")
    assert first["power_w"] == pytest.approx(7200.0, rel=1e-9)
    assert (first["power_sent"], first["power_unit"]) == (pytest.approx(7.2), "kW")
    assert first["signed_data"] is None
    # the signed reading beside the plain one: the number from the plain one, the OCMF kept
    assert second["energy_wh"] == pytest.approx(12500.0, rel=1e-9)
    assert second["charger_time"] == at("2026-03-01 15:20")
    assert (second["signed_data"], second["signed_encoding"]) == (OCMF, "OCMF")


def test_a_signed_only_sample_keeps_its_signature_not_a_null_reading(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(
        conn,
        "SELECT * FROM stg_meter WHERE charge_point_id = 'K' "
        "AND source_action = 'StopTransaction' ORDER BY charger_time",
    )
    signed, stop = rows
    assert signed["charger_time"] == at("2026-03-01 15:29")
    assert (signed["energy_wh"], signed["signed_data"]) == (None, OCMF)
    assert stop["energy_wh"] == pytest.approx(12600.0, rel=1e-9)  # meterStop, in Wh
    assert (stop["energy_unit"], stop["signed_data"]) == ("Wh", None)
    s = _sessions(conn)["K:9"]
    assert s["energy_kwh"] == pytest.approx(0.6, rel=1e-9)  # 12600 - 12000 Wh
    # start, two MeterValues, the signed-only one, the stop's register
    assert s["meter_samples"] == 5
    assert s["peak_kw"] == pytest.approx(7.2, rel=1e-9)


def test_a_2_0_1_signed_meter_value_in_kwh(conn: duckdb.DuckDBPyConnection) -> None:
    (row,) = _rows(
        conn,
        "SELECT * FROM stg_meter WHERE transaction_id = 'S-1' "
        "AND received_at = '2026-03-01 16:30+00'",
    )
    assert row["energy_wh"] == pytest.approx(7500.0, rel=1e-9)
    assert (row["energy_sent"], row["energy_unit"]) == (pytest.approx(7.5), "KWH")
    assert (row["signed_data"], row["signed_encoding"]) == ("T0NNRnx7fQ==", "OCMF")
    assert _sessions(conn)["S:S-1"]["energy_kwh"] == pytest.approx(7.5, rel=1e-9)


@pytest.mark.parametrize(
    ("value", "unit", "si_value", "si_unit"),
    [
        (12.345, "kWh", 12345.0, "Wh"),
        (12.0, "Wh", 12.0, "Wh"),
        (7.2, "kW", 7200.0, "W"),
        (1.5, "kvarh", 1500.0, "varh"),
        (0.4, "kvar", 400.0, "var"),
        (11.0, "kVA", 11000.0, "VA"),
        (212.0, "Fahrenheit", 100.0, "Celsius"),
        (300.0, "K", 26.85, "Celsius"),
        (40.0, "Celcius", 40.0, "Celsius"),  # 1.6's spelling
        (16.0, "A", 16.0, "A"),
        (80.0, "Percent", 80.0, "Percent"),
    ],
)
def test_meter_units_macro(value: float, unit: str, si_value: float, si_unit: str) -> None:
    mem = duckdb.connect()
    connect.create_macros(mem)
    got_value, got_unit = mem.execute(
        "SELECT meter_value(?::DOUBLE, ?), meter_unit(?)", [value, unit, unit]
    ).fetchone() or (None, None)
    assert got_value == pytest.approx(si_value, rel=1e-9)
    assert got_unit == si_unit


def test_every_signed_reading_reaches_stg_meter(data_dir: Path) -> None:
    """Every signed frame's signature reached a stg_meter row (none lost to a time mismatch)."""
    files = sorted((data_dir / "warehouse" / "staging" / "stg_meter").glob("*/*.parquet"))
    paths = ", ".join(f"'{f}'" for f in files)
    mem = duckdb.connect()
    (n,) = mem.execute(
        f"SELECT count(*) FROM read_parquet([{paths}]) WHERE signed_data IS NOT NULL"
    ).fetchone() or (0,)
    assert n == 3  # K's two (beside a value, alone), S's one


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_reading_in_an_old_lake_is_null(text: str) -> None:
    """A lake written before the converter nulled them may hold NaN: staging reads it as NULL,
    so no sum over it (a partner's revenue) turns NaN."""
    mem = duckdb.connect()
    connect.create_macros(mem)
    got = mem.execute("SELECT meter_value(?::DOUBLE, 'kWh')", [text]).fetchone()
    assert got == (None,)
