"""A small validator for OCPI 2.2.1 CDR objects (section 10.4.1 of the spec): required fields,
types, string lengths, enumerations and DateTime format. Returns every problem with its path.

Written here rather than using a JSON Schema library, which is a dev-only dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")


@dataclass(frozen=True)
class F:
    kind: str  # string | number | boolean | datetime | object | array
    required: bool = True
    max_len: int | None = None
    enum: frozenset[str] | None = None
    pattern: str | None = None
    fields: dict[str, F] = field(default_factory=dict)
    items: F | None = None
    min_items: int = 0


def _enum(*values: str) -> frozenset[str]:
    return frozenset(values)


PRICE = F("object", fields={"excl_vat": F("number"), "incl_vat": F("number", required=False)})


def _opt_price() -> F:
    return F("object", required=False, fields=PRICE.fields)


CDR_TOKEN = F(
    "object",
    fields={
        "country_code": F("string", max_len=2),
        "party_id": F("string", max_len=3),
        "uid": F("string", max_len=36),
        "type": F("string", enum=_enum("AD_HOC_USER", "APP_USER", "OTHER", "RFID")),
        "contract_id": F("string", max_len=36),
    },
)
CDR_LOCATION = F(
    "object",
    fields={
        "id": F("string", max_len=36),
        "name": F("string", required=False, max_len=255),
        "address": F("string", max_len=45),
        "city": F("string", max_len=45),
        "postal_code": F("string", required=False, max_len=10),
        "state": F("string", required=False, max_len=20),
        "country": F("string", max_len=3, pattern=r"^[A-Z]{3}$"),
        "coordinates": F(
            "object",
            fields={
                "latitude": F("string", max_len=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$"),
                "longitude": F("string", max_len=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$"),
            },
        ),
        "evse_uid": F("string", max_len=36),
        "evse_id": F("string", max_len=48),
        "connector_id": F("string", max_len=36),
        "connector_standard": F(
            "string",
            enum=_enum(
                "CHADEMO",
                "CHAOJI",
                "DOMESTIC_A",
                "DOMESTIC_B",
                "GBT_AC",
                "GBT_DC",
                "IEC_62196_T1",
                "IEC_62196_T1_COMBO",
                "IEC_62196_T2",
                "IEC_62196_T2_COMBO",
                "IEC_62196_T3A",
                "IEC_62196_T3C",
                "NEMA_5_20",
                "NEMA_6_30",
                "NEMA_6_50",
                "NEMA_10_30",
                "NEMA_10_50",
                "NEMA_14_30",
                "NEMA_14_50",
                "TESLA_R",
                "TESLA_S",
            ),
        ),
        "connector_format": F("string", enum=_enum("SOCKET", "CABLE")),
        "connector_power_type": F(
            "string", enum=_enum("AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC")
        ),
    },
)
DIMENSION = F(
    "object",
    fields={
        "type": F(
            "string",
            enum=_enum(
                "CURRENT",
                "ENERGY",
                "ENERGY_EXPORT",
                "ENERGY_IMPORT",
                "MAX_CURRENT",
                "MIN_CURRENT",
                "MAX_POWER",
                "MIN_POWER",
                "PARKING_TIME",
                "POWER",
                "RESERVATION_TIME",
                "STATE_OF_CHARGE",
                "TIME",
            ),
        ),
        "volume": F("number"),
    },
)
CHARGING_PERIOD = F(
    "object",
    fields={
        "start_date_time": F("datetime"),
        "dimensions": F("array", items=DIMENSION, min_items=1),
        "tariff_id": F("string", required=False, max_len=36),
    },
)
CDR = F(
    "object",
    fields={
        "country_code": F("string", max_len=2),
        "party_id": F("string", max_len=3),
        "id": F("string", max_len=39),
        "start_date_time": F("datetime"),
        "end_date_time": F("datetime"),
        "session_id": F("string", required=False, max_len=36),
        "cdr_token": CDR_TOKEN,
        "auth_method": F("string", enum=_enum("AUTH_REQUEST", "COMMAND", "WHITELIST")),
        "authorization_reference": F("string", required=False, max_len=36),
        "cdr_location": CDR_LOCATION,
        "meter_id": F("string", required=False, max_len=255),
        "currency": F("string", max_len=3, pattern=r"^[A-Z]{3}$"),
        "charging_periods": F("array", items=CHARGING_PERIOD, min_items=1),
        "total_cost": PRICE,
        "total_fixed_cost": _opt_price(),
        "total_energy": F("number"),
        "total_energy_cost": _opt_price(),
        "total_time": F("number"),
        "total_time_cost": _opt_price(),
        "total_parking_time": F("number", required=False),
        "total_parking_cost": _opt_price(),
        "total_reservation_cost": _opt_price(),
        "remark": F("string", required=False, max_len=255),
        "invoice_reference_id": F("string", required=False, max_len=39),
        "credit": F("boolean", required=False),
        "credit_reference_id": F("string", required=False, max_len=39),
        "home_charging_compensation": F("boolean", required=False),
        "last_updated": F("datetime"),
    },
)


def validate(value: Any, spec: F = CDR, path: str = "cdr") -> list[str]:
    """Every problem of ``value`` against ``spec`` ("cdr.cdr_token.uid: missing"); [] = valid."""
    if spec.kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        errors = [f"{path}.{k}: not an OCPI 2.2.1 CDR field" for k in value if k not in spec.fields]
        for name, sub in spec.fields.items():
            if name not in value or value[name] is None:
                if sub.required:
                    errors.append(f"{path}.{name}: missing")
                continue
            errors += validate(value[name], sub, f"{path}.{name}")
        return errors
    if spec.kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        errors = (
            [f"{path}: needs at least {spec.min_items} item(s)"]
            if len(value) < spec.min_items
            else []
        )
        for i, item in enumerate(value):
            errors += validate(item, spec.items or F("string"), f"{path}[{i}]")
        return errors
    return _scalar(value, spec, path)


def _scalar(value: Any, spec: F, path: str) -> list[str]:
    if spec.kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if spec.kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected true/false"]
    if not isinstance(value, str):
        return [f"{path}: expected a string"]
    if spec.kind == "datetime":
        return [] if DATETIME.match(value) else [f"{path}: {value!r} is not an RFC 3339 UTC time"]
    if spec.max_len is not None and len(value) > spec.max_len:
        return [f"{path}: {value!r} is longer than {spec.max_len}"]
    if spec.enum is not None and value not in spec.enum:
        return [f"{path}: {value!r} is not one of {sorted(spec.enum)}"]
    if spec.pattern is not None and not re.match(spec.pattern, value):
        return [f"{path}: {value!r} does not match {spec.pattern}"]
    return []
