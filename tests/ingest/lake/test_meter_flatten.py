"""meter_values derived from logged frames: defaults from the specs, multipliers, unreadable
values, 1.6 start/stop registers, and only CALLs the CSMS accepted."""

from __future__ import annotations

from typing import Any

from ingest.lake.meter_flatten import meter_rows


def msg(direction: str, mtype: int, uid: str, action: str, payload: Any, version: str = "1.6",
        at: float = 1000.0) -> tuple[Any, ...]:
    return (at, "n1", "CP", "c1", direction, version, mtype, uid, action, payload, None, None,
            None, None)


def answered(uid: str, action: str, payload: Any, answer: Any = None,
             version: str = "1.6") -> list[tuple[Any, ...]]:
    return [msg("in", 2, uid, action, payload, version),
            msg("out", 3, uid, action, answer if answer is not None else {}, version)]


def test_v16_defaults_and_signed_data() -> None:
    rows = meter_rows(answered("u1", "MeterValues", {"connectorId": 1, "transactionId": 7,
                                                     "meterValue": [{
                                                         "timestamp": "2026-01-01T00:00:00Z",
                                                         "sampledValue": [
                                                             {"value": "12.5"},
                                                             {"value": "abc",
                                                              "format": "SignedData"}]}]}))
    assert rows[0] == (1000.0, "n1", "CP", "1.6", "u1", "MeterValues", None, 1, "7",
                       1767225600.0, "Energy.Active.Import.Register", None, "Outlet",
                       "Sample.Periodic", "Wh", 12.5)
    assert rows[1][-1] is None


def test_non_finite_values_are_null_not_nan() -> None:
    """Issue 18's row: "NaN" / "Infinity" reached the lake and made a partner's revenue NaN."""
    texts = ["NaN", "Infinity", "-Infinity", "1e999", "-nan", "7"]
    rows = meter_rows(answered("u9", "MeterValues", {"connectorId": 1, "transactionId": 7,
                                                     "meterValue": [{
                                                         "timestamp": "2026-01-01T00:00:00Z",
                                                         "sampledValue": [
                                                             {"value": t} for t in texts]}]}))
    assert [r[-1] for r in rows] == [None, None, None, None, None, 7.0]
    huge = {"evseId": 1, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [
        {"value": 1e300, "unitOfMeasure": {"multiplier": 9}},
        {"value": 2.0, "unitOfMeasure": {"multiplier": 400}},
        {"value": 2.0, "unitOfMeasure": {"multiplier": 3}}]}]}
    rows = meter_rows(answered("u10", "MeterValues", huge, version="2.0.1"))
    assert [r[-1] for r in rows] == [None, None, 2000.0]


def test_v2_multiplier_bad_timestamp_and_json_text_payload() -> None:
    payload = ('{"evseId": 2, "meterValue": [{"timestamp": "garbage", "sampledValue": ['
               '{"value": 3.3, "measurand": "Current.Import", "phase": "L1",'
               ' "unitOfMeasure": {"unit": "A", "multiplier": -1}}]}]}')
    (row,) = meter_rows(answered("u2", "MeterValues", payload, version="2.0.1"))
    assert row[6] == 2
    assert row[9] is None  # the charger's time could not be read: null, not a guess
    assert row[10:] == ("Current.Import", "L1", "Outlet", "Sample.Periodic", "A", 3.3 * 0.1)


def test_v16_start_takes_transaction_id_from_the_answer_and_stop_register() -> None:
    start = answered("s1", "StartTransaction", {"connectorId": 2, "idTag": "T", "meterStart": 100,
                                                "timestamp": "2026-01-01T00:00:00Z"},
                     {"transactionId": 42, "idTagInfo": {"status": "Accepted"}})
    stop = answered("s2", "StopTransaction", {"transactionId": 42, "meterStop": 900,
                                              "timestamp": "2026-01-01T01:00:00Z",
                                              "transactionData": [{
                                                  "timestamp": "2026-01-01T01:00:00Z",
                                                  "sampledValue": [{"value": "900"}]}]})
    rows = meter_rows(start + stop)
    assert [(r[5], r[7], r[8], r[13], r[15]) for r in rows] == [
        ("StartTransaction", 2, "42", "Transaction.Begin", 100.0),
        ("StopTransaction", None, "42", "Transaction.End", 900.0),
        ("StopTransaction", None, "42", "Sample.Periodic", 900.0),
    ]


def test_v201_transaction_event() -> None:
    payload = {"eventType": "Updated", "seqNo": 1, "timestamp": "2026-01-01T00:00:00Z",
               "triggerReason": "MeterValuePeriodic", "transactionInfo": {"transactionId": "t1"},
               "evse": {"id": 1, "connectorId": 2},
               "meterValue": [{"timestamp": "2026-01-01T00:00:00Z",
                               "sampledValue": [{"value": 5}]}]}
    (row,) = meter_rows(answered("u3", "TransactionEvent", payload, version="2.0.1"))
    assert (row[6], row[7], row[8], row[15]) == (1, 2, "t1", 5.0)


def test_refused_and_unanswered_calls_give_no_rows() -> None:
    payload = {"connectorId": 1, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z",
                                                 "sampledValue": [{"value": "1"}]}]}
    refused = [msg("in", 2, "r1", "MeterValues", payload),
               msg("out", 4, "r1", "MeterValues", {})]
    unanswered = [msg("in", 2, "r2", "MeterValues", payload)]
    other = answered("r3", "Heartbeat", {})
    assert meter_rows(refused + unanswered + other) == []
