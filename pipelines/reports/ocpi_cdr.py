"""The flat ``cdrs`` mart row -> an OCPI 2.2.1 CDR object (nested, as the spec names it).

Choices where the warehouse has no data: connector standard from the charger kind (AC: J1772 =
IEC_62196_T1, single phase in the US; DC: CCS1 = IEC_62196_T1_COMBO), tethered cable; the site
address "street, city, state" is split on commas; numbers have at most 4 decimals (OCPI);
a session without energy periods gets one period with ENERGY 0 (OCPI needs at least one).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pipelines.reports.source import Row, iso

CONNECTOR = {"AC": ("IEC_62196_T1", "AC_1_PHASE"), "DC": ("IEC_62196_T1_COMBO", "DC")}


def short_id(value: str, limit: int) -> str:
    """OCPI ids are bounded; a longer session id is replaced by a stable hash of it."""
    if len(value) <= limit:
        return value
    return "H" + hashlib.sha256(value.encode()).hexdigest()[: limit - 1]


def evse_id(country: str, party: str, port_id: str) -> str:
    """eMI3 EVSE id: <country>*<operator>*E<outlet>, the outlet's separators turned to '*'."""
    return f"{country}*{party}*E{re.sub(r'[^A-Za-z0-9]+', '*', port_id)}"[:48]


def _address(text: str | None) -> tuple[str, str, str | None]:
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    street = parts[0] if parts else "unknown"
    city = parts[1] if len(parts) > 1 else "unknown"
    state = parts[2] if len(parts) > 2 else None
    return street[:45], city[:45], state[:20] if state else None


def _num(value: float | None) -> float:
    return round(float(value or 0.0), 4)


def _price(value: float | None) -> dict[str, float]:
    return {"excl_vat": _num(value)}


def to_ocpi(row: Row, cpo: tuple[str, str], emsp: tuple[str, str], country: str) -> dict[str, Any]:
    """``cpo``/``emsp``: (country_code, party_id); ``country``: ISO 3166 alpha-3 of the sites."""
    street, city, state = _address(row["cdr_location_address"])
    standard, power = CONNECTOR.get(row.get("kind") or "AC", CONNECTOR["AC"])
    uid = short_id(row["cdr_token_uid"] or "UNKNOWN", 36)
    evse = row["cdr_location_evse_uid"] or "UNKNOWN"  # cdrs.sql names one; never crash a report
    location: dict[str, Any] = {
        "id": short_id(row["cdr_location_id"] or "UNKNOWN", 36),
        "name": row["cdr_location_name"],
        "address": street,
        "city": city,
        "state": state,
        "country": country,
        "coordinates": {
            "latitude": f"{float(row['cdr_location_latitude'] or 0):.6f}",
            "longitude": f"{float(row['cdr_location_longitude'] or 0):.6f}",
        },
        "evse_uid": short_id(evse, 36),
        "evse_id": evse_id(cpo[0], cpo[1], evse),
        "connector_id": row["cdr_location_connector_id"] or "1",
        "connector_standard": standard,
        "connector_format": "CABLE",
        "connector_power_type": power,
    }
    periods = [
        {**p, "tariff_id": row["tariff_id"]} if row["tariff_id"] else p
        for p in json.loads(row["charging_periods"] or "[]")
    ]
    if not periods:
        periods = [
            {
                "start_date_time": iso(row["start_date_time"]),
                "dimensions": [{"type": "ENERGY", "volume": 0.0}],
            }
        ]
    cdr: dict[str, Any] = {
        "country_code": cpo[0],
        "party_id": cpo[1],
        "id": short_id(row["id"], 39),
        "start_date_time": iso(row["start_date_time"]),
        "end_date_time": iso(row["end_date_time"]),
        "session_id": short_id(row["session_id"], 36),
        "cdr_token": {
            "country_code": emsp[0],
            "party_id": emsp[1],
            "uid": uid,
            "type": row["cdr_token_type"],
            "contract_id": short_id(row["cdr_token_contract_id"] or uid, 36),
        },
        "auth_method": row["auth_method"],
        "cdr_location": {k: v for k, v in location.items() if v is not None},
        "currency": row["currency"],
        "charging_periods": periods,
        "total_cost": _price(row["total_cost_excl_vat"]),
        "total_fixed_cost": _price(row["total_fixed_cost"]),
        "total_energy": _num(row["total_energy"]),
        "total_energy_cost": _price(row["total_energy_cost"]),
        "total_time": _num(row["total_time"]),
        "total_time_cost": _price(row["total_time_cost"]),
        "total_parking_time": _num(row["total_parking_time"]),
        "total_parking_cost": _price(row["total_parking_cost"]),
        "credit": False,
        "last_updated": iso(row["last_updated"]),
    }
    return cdr
