"""Byte-stable JSON and CSV: sorted keys, fixed separators, '\n' line ends, so re-running a month
gives the same bytes (and the same sha256 in the manifest)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

CDR_CSV_COLUMNS = (
    "id",
    "session_id",
    "start_date_time",
    "end_date_time",
    "token_uid",
    "token_type",
    "contract_id",
    "location_id",
    "location_name",
    "evse_uid",
    "evse_id",
    "connector_id",
    "connector_power_type",
    "tariff_id",
    "currency",
    "total_energy_kwh",
    "total_time_h",
    "total_parking_time_h",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_fixed_cost",
    "total_cost_excl_vat",
    "roaming_fee",
)


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode()


def cdr_csv_row(cdr: dict[str, Any], fee: float) -> list[Any]:
    """One CSV line per OCPI CDR (flattened; the same values as the JSON) and its roaming fee."""
    loc, token = cdr["cdr_location"], cdr["cdr_token"]
    return [
        cdr["id"],
        cdr.get("session_id"),
        cdr["start_date_time"],
        cdr["end_date_time"],
        token["uid"],
        token["type"],
        token["contract_id"],
        loc["id"],
        loc.get("name"),
        loc["evse_uid"],
        loc["evse_id"],
        loc["connector_id"],
        loc["connector_power_type"],
        cdr["charging_periods"][0].get("tariff_id"),
        cdr["currency"],
        cdr["total_energy"],
        cdr["total_time"],
        cdr.get("total_parking_time"),
        cdr["total_energy_cost"]["excl_vat"],
        cdr["total_time_cost"]["excl_vat"],
        cdr["total_parking_cost"]["excl_vat"],
        cdr["total_fixed_cost"]["excl_vat"],
        cdr["total_cost"]["excl_vat"],
        fee,
    ]


def cdrs_csv(cdrs: Sequence[dict[str, Any]], fees: Sequence[float]) -> bytes:
    rows = [cdr_csv_row(c, f) for c, f in zip(cdrs, fees, strict=True)]
    return csv_bytes(CDR_CSV_COLUMNS, rows)
