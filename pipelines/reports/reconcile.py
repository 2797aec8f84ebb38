"""Checks a report must pass before it is delivered: its files' totals equal the warehouse's
for that partner and month (session_charges, a table the report is not built from), and every
CDR is a valid OCPI 2.2.1 CDR. Totals are re-read from the written bytes, not from memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.reports import ocpi_schema

TOLERANCE = 1e-6  # money and kWh are rounded to 4 decimals; sums differ only by float noise


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def totals_match(name: str, report: Mapping[str, float], warehouse: Mapping[str, Any]) -> Check:
    """Each key of ``report`` must equal the warehouse's value (counts exactly)."""
    diffs = []
    for key, mine in report.items():
        theirs = float(warehouse[key])
        if abs(float(mine) - theirs) > TOLERANCE:
            diffs.append(f"{key} report {mine:.4f} != warehouse {theirs:.4f}")
    shown = ", ".join(f"{k} {float(v):.4f}" for k, v in report.items())
    return Check(name, not diffs, "; ".join(diffs) if diffs else f"equal: {shown}")


def cdr_json_totals(data: bytes) -> dict[str, float]:
    cdrs = json.loads(data)
    return {
        "sessions": float(len(cdrs)),
        "kwh": sum(c["total_energy"] for c in cdrs),
        "revenue": sum(c["total_cost"]["excl_vat"] for c in cdrs),
    }


def csv_totals(data: bytes, kwh: str, revenue: str) -> dict[str, float]:
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    return {
        "sessions": float(len(rows)),
        "kwh": sum(float(r[kwh]) for r in rows),
        "revenue": sum(float(r[revenue]) for r in rows),
    }


def csv_sum(data: bytes, column: str) -> float:
    return sum(float(r[column]) for r in csv.DictReader(io.StringIO(data.decode())))


def cdrs_valid(data: bytes) -> Check:
    cdrs = json.loads(data)
    problems = [p for c in cdrs for p in ocpi_schema.validate(c)]
    ids = [c.get("id") for c in cdrs]
    if len(set(ids)) != len(ids):
        problems.append("duplicate CDR ids")
    if problems:
        return Check("ocpi_cdr_valid", False, f"{len(problems)} problem(s), e.g. {problems[0]}")
    return Check("ocpi_cdr_valid", True, f"{len(cdrs)} CDR(s) valid OCPI 2.2.1")


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.passed]
