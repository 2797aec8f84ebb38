"""Derive ``meter_values`` rows from the logged OCPP frames: one row per sampled value.

The CSMS journals each frame once; the converter (off the server's event loop) flattens the meter
values inside MeterValues, Start/StopTransaction (1.6) and TransactionEvent (2.0.1) CALLs. The
derivation is a pure function of a segment's rows, so a segment converted twice after a crash
gives the same files.

Defaults the specifications give for omitted fields are filled in, so downstream SQL never has to
know them: measurand ``Energy.Active.Import.Register``, unit ``Wh``, context ``Sample.Periodic``,
location ``Outlet``. 2.0.1's ``unitOfMeasure.multiplier`` is applied (value x 10^multiplier, the
unit kept as given). 1.6 ``meterStart``/``meterStop`` become energy-register rows with context
``Transaction.Begin``/``Transaction.End``; the 1.6 transaction id of a start comes from the
CSMS's answer, logged in the same journal write as the CALL. A retried StartTransaction (the
CSMS answers a retry with the same transaction id) derives its ``Transaction.Begin`` row once: the
first received stands, as in the sessions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

Row = tuple[Any, ...]

DEFAULT_MEASURAND = "Energy.Active.Import.Register"
FLATTENED = frozenset({"MeterValues", "StartTransaction", "StopTransaction", "TransactionEvent"})
# Column positions in ocpp_messages rows (schemas.OCPP_MESSAGES).
_AT, _NODE, _CP, _DIR, _VERSION, _TYPE, _UID, _ACTION, _PAYLOAD = 0, 1, 2, 4, 5, 6, 7, 8, 9


def parse_epoch(text: object) -> float | None:
    """A charger's ISO 8601 time as epoch seconds; None when unreadable. No offset means UTC."""
    if not isinstance(text, str):
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _payload(row: Row) -> Any:
    value = row[_PAYLOAD]
    if isinstance(value, str | bytes):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _number(value: Any) -> float | None:
    """A sampled value as a finite float; None for anything else (SignedData, "NaN",
    "Infinity", "1e999"): a non-finite reading would make every sum over it, a partner's
    revenue included, NaN or infinite."""
    kind = type(value)
    if kind is str:
        try:
            number = float(value)
        except ValueError:
            return None  # e.g. 1.6 SignedData
    elif kind is int or kind is float:
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def _v16(pre: Row, meter_value: Any, out: list[Row]) -> None:
    for mv in meter_value if isinstance(meter_value, list) else ():
        ts = parse_epoch(mv.get("timestamp"))
        for sv in mv.get("sampledValue", ()):
            get = sv.get
            out.append((*pre, ts, get("measurand", DEFAULT_MEASURAND), get("phase"),
                        get("location", "Outlet"), get("context", "Sample.Periodic"),
                        get("unit", "Wh"), _number(get("value"))))


def _v2(pre: Row, meter_value: Any, out: list[Row]) -> None:
    for mv in meter_value if isinstance(meter_value, list) else ():
        ts = parse_epoch(mv.get("timestamp"))
        for sv in mv.get("sampledValue", ()):
            get = sv.get
            uom = get("unitOfMeasure") or {}
            value = _number(get("value"))
            multiplier = uom.get("multiplier", 0)
            if value is not None and multiplier:
                value = _scaled(value, multiplier)
            out.append((*pre, ts, get("measurand", DEFAULT_MEASURAND), get("phase"),
                        get("location", "Outlet"), get("context", "Sample.Periodic"),
                        uom.get("unit", "Wh"), value))


def energy_register_wh(meter_value: Any) -> float | None:
    """The first energy register (Energy.Active.Import.Register) of a 2.0.1 ``meterValue`` list,
    in Wh as the warehouse reads it (multiplier applied, kWh x 1000); None if it has none."""
    rows: list[Row] = []
    _v2((), meter_value, rows)
    for *_, measurand, _phase, _location, _context, unit, value in rows:
        if measurand == DEFAULT_MEASURAND and value is not None:
            wh = float(value)
            return wh * 1000 if str(unit).lower() == "kwh" else wh
    return None


def _scaled(value: float, multiplier: Any) -> float | None:
    """``value`` x 10^multiplier, None when that is no finite number (a multiplier of 400)."""
    try:
        return _number(value * 10.0 ** int(multiplier))
    except (OverflowError, TypeError, ValueError):
        return None


def _register(pre: Row, p: dict[str, Any], key: str, context: str, out: list[Row]) -> None:
    wh = _number(p.get(key))
    if wh is not None:
        out.append((*pre, parse_epoch(p.get("timestamp")), DEFAULT_MEASURAND, None, "Outlet",
                    context, "Wh", wh))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _from_call(row: Row, p: dict[str, Any], answer: Any, out: list[Row]) -> None:
    """Append the meter rows of one accepted CALL; ``pre`` holds the columns they share."""
    head = (row[_AT], row[_NODE], row[_CP], row[_VERSION], row[_UID], row[_ACTION])
    action = row[_ACTION]
    if row[_VERSION] == "1.6":
        if action == "MeterValues":
            pre = (*head, None, p.get("connectorId"), _text(p.get("transactionId")))
            _v16(pre, p.get("meterValue"), out)
        elif action == "StartTransaction":
            tx = answer.get("transactionId") if isinstance(answer, dict) else None
            pre = (*head, None, p.get("connectorId"), _text(tx))
            _register(pre, p, "meterStart", "Transaction.Begin", out)
        elif action == "StopTransaction":
            pre = (*head, None, None, _text(p.get("transactionId")))
            _register(pre, p, "meterStop", "Transaction.End", out)
            _v16(pre, p.get("transactionData"), out)
        return
    if action == "MeterValues":
        _v2((*head, p.get("evseId"), None, None), p.get("meterValue"), out)
    elif action == "TransactionEvent":
        evse = p.get("evse") or {}
        tx = (p.get("transactionInfo") or {}).get("transactionId")
        _v2((*head, evse.get("id"), evse.get("connectorId"), tx), p.get("meterValue"), out)


def meter_rows(messages: Iterable[Row]) -> list[Row]:
    """The meter_values rows of the CALLs among ``messages`` (ocpp_messages rows of a segment)."""
    calls, answers = [], {}
    for row in messages:
        if row[_ACTION] not in FLATTENED:
            continue
        if row[_DIR] == "in" and row[_TYPE] == 2:
            calls.append(row)
        elif row[_DIR] == "out" and row[_TYPE] == 3:
            answers[(row[_CP], row[_UID])] = _payload(row)
    out: list[Row] = []
    started: set[tuple[Any, Any]] = set()  # (charger, transaction id) of 1.6 starts derived
    for row in calls:
        # Only CALLs the CSMS accepted (answered with a CALLRESULT, journaled in the same write);
        # a CALL refused for a schema violation carries no trusted values.
        answer = answers.get((row[_CP], row[_UID]))
        payload = _payload(row)
        if answer is None or not isinstance(payload, dict):
            continue
        if row[_ACTION] == "StartTransaction" and isinstance(answer, dict):
            start = (row[_CP], answer.get("transactionId"))
            if start in started:
                continue  # a retry of a start already derived
            started.add(start)
        _from_call(row, payload, answer, out)
    return out
