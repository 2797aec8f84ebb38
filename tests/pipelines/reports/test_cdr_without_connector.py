"""A session that named no connector still gives a valid CDR (issue 18: it crashed the report)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from pipelines.reports import ocpi_schema
from pipelines.reports.ocpi_cdr import to_ocpi


def test_a_session_without_a_connector_is_its_charger_s_evse() -> None:
    start = datetime(2026, 1, 5, 10, tzinfo=UTC)
    row: defaultdict[str, Any] = defaultdict(lambda: None, {
        "id": "CP1:7", "session_id": "CP1:7", "start_date_time": start,
        "end_date_time": start.replace(hour=11), "last_updated": start.replace(hour=12),
        "cdr_location_id": "S1",
        "charging_periods": "[]",
    })
    cdr = to_ocpi(row, ("US", "CPO"), ("US", "EMS"), "USA")
    assert cdr["cdr_location"]["evse_uid"] == "UNKNOWN"
    assert cdr["cdr_location"]["evse_id"] == "US*CPO*EUNKNOWN"
    assert not [p for p in ocpi_schema.validate(cdr) if "evse" in p]
