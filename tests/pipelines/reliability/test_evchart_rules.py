"""The EV-ChART validator on hand-built rows, one rule at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.exports.evchart_rules import MODULE_2, MODULE_3, MODULE_4, MODULE_9, Module
from pipelines.exports.evchart_validate import Violation, summary, validate_file, validate_rows

SESSION = {
    "station_id": "S1", "network_provider": "acme", "port_id": "CP1/1", "charger_id": "CP1",
    "session_id": "CP1:7", "connector_id": "1", "session_start": "2026-01-02T10:00:00Z",
    "session_end": "2026-01-02T11:00:00Z", "session_error": "none", "error_other": "",
    "energy_kwh": "20.12", "power_kw": "50.00", "payment_method": "rfid", "payment_other": "",
}  # fmt: skip
UPTIME = {
    "station_id": "S1", "network_provider": "acme", "port_id": "CP1/1",
    "uptime_reporting_start": "2026-01-01T00:00:00Z",
    "uptime_reporting_end": "2026-02-01T00:00:00Z", "uptime": "99.87", "total_outage": "120.00",
    "total_outage_excl": "60.00",
}  # fmt: skip
OUTAGE = {
    "station_id": "S1", "network_provider": "acme", "port_id": "CP1/1",
    "outage_id": "2026-01-10T10:00:00Z", "outage_duration": "120.00", "excluded_outage": "TRUE",
    "excluded_outage_reason": "3", "excluded_outage_notes": "scheduled_maintenance",
}  # fmt: skip


def check(
    module: Module, row: dict[str, str], operational: dict[str, date] | None = None
) -> list[str]:
    return [f"{v.field}: {v.problem}" for v in validate_rows(module, list(row), [row], operational)]


def test_valid_rows_pass() -> None:
    assert check(MODULE_2, SESSION) == []
    assert check(MODULE_3, UPTIME) == []
    assert check(MODULE_4, OUTAGE) == []


def test_too_long_string() -> None:
    assert check(MODULE_2, SESSION | {"session_id": "x" * 37}) == [
        "session_id: 37 characters, at most 36"
    ]
    assert check(MODULE_2, SESSION | {"network_provider": "n" * 31}) == [
        "network_provider: 31 characters, at most 30"
    ]
    assert check(MODULE_2, SESSION | {"payment_other": " "}) == ["payment_other: only whitespace"]


def test_decimal_precision_and_scale() -> None:
    assert check(MODULE_2, SESSION | {"energy_kwh": "20.123"}) == [
        "energy_kwh: 20.123 has 3 decimals, at most 2"
    ]
    assert check(MODULE_2, SESSION | {"power_kw": "123456.5"}) == [
        "power_kw: 123456.5 has 6 integer digits, at most 5 (decimal(7,2))"
    ]
    assert check(MODULE_2, SESSION | {"energy_kwh": "99999.99", "power_kw": "0"}) == []
    assert check(MODULE_2, SESSION | {"energy_kwh": "-1.00"}) == [
        "energy_kwh: -1.00 is below the minimum 0"
    ]
    assert check(MODULE_2, SESSION | {"energy_kwh": "1e3"}) == [
        "energy_kwh: '1e3' is not a decimal number"
    ]
    assert check(MODULE_3, UPTIME | {"uptime": "1000.00"}) == [
        "uptime: 1000.00 has 4 integer digits, at most 3 (decimal(5,2))"
    ]
    assert check(MODULE_4, OUTAGE | {"outage_duration": "0.00"}) == [
        "outage_duration: 0.00 is below the minimum 0.01"
    ]


def test_missing_required_field_and_column() -> None:
    assert check(MODULE_2, SESSION | {"session_end": ""}) == ["session_end: required, but blank"]
    assert check(MODULE_2, SESSION | {"station_id": ""}) == ["station_id: required, but blank"]
    assert check(MODULE_2, SESSION | {"charger_id": "", "connector_id": ""}) == []  # optional
    row = {k: v for k, v in SESSION.items() if k != "network_provider"}
    assert check(MODULE_2, row) == ["network_provider: required column missing"]
    assert check(MODULE_2, SESSION | {"provider_id": "x"}) == ["provider_id: not a module 2 field"]


def test_no_data_rows_leave_their_fields_blank_all_together() -> None:
    # validate_m2 / validate_m4: a row is either filled or a "no data" row (all blank together).
    blank = dict.fromkeys(MODULE_2.blank_together, "")
    assert check(MODULE_2, SESSION | blank | {"error_other": ""}) == []
    assert check(MODULE_4, OUTAGE | {"outage_id": "", "outage_duration": ""}) == []
    assert check(MODULE_4, OUTAGE | {"outage_duration": ""}) == [
        "outage_duration: required, but blank"
    ]


def test_outage_id_is_a_datetime() -> None:
    assert check(MODULE_4, OUTAGE | {"outage_id": "CP1/1@2026-01-10T10:00:00Z"}) == [
        "outage_id: 'CP1/1@2026-01-10T10:00:00Z' is not a datetime YYYY-MM-DDTHH:MM:SSZ"
    ]
    assert check(MODULE_4, OUTAGE | {"outage_id": "2026-01-10 10:00:00"}) != []
    assert check(MODULE_4, OUTAGE | {"outage_id": "2026-02-30T10:00:00Z"}) != []
    assert check(MODULE_4, OUTAGE | {"outage_id": "2026-01-10T10:00:00.250Z"}) == []


def test_outage_flags_and_reason_codes() -> None:
    assert check(MODULE_4, OUTAGE | {"excluded_outage": "yes"}) == [
        "excluded_outage: 'yes' is not TRUE or FALSE"
    ]
    assert check(MODULE_4, OUTAGE | {"excluded_outage_reason": "7"}) == [
        "excluded_outage_reason: 7 is above the maximum 6"
    ]
    assert check(MODULE_4, OUTAGE | {"excluded_outage_reason": "2.5"}) == [
        "excluded_outage_reason: '2.5' is not an integer"
    ]


def test_uptime_required_only_after_a_year_of_operation() -> None:
    blank = UPTIME | {"uptime": ""}
    young = {"S1": date(2025, 3, 1)}  # under a year before 2026-01-01
    old = {"S1": date(2024, 12, 31)}  # over a year before it
    assert check(MODULE_3, blank, young) == []
    assert check(MODULE_3, blank, old) == ["uptime: required, but blank"]
    assert check(MODULE_3, blank, {}) == ["uptime: required, but blank"]  # unknown station
    assert check(MODULE_3, blank | {"total_outage": ""}, young) == [
        "total_outage: required, but blank"
    ]


def test_module9_totals_blank_together_federal_shares_always() -> None:
    costs = {"station_id": "S1", "network_provider": "acme"} | {
        f.name: ("1000.00" if f.kind == "decimal" else "") for f in MODULE_9.fields[2:]
    }
    assert check(MODULE_9, costs) == []
    no_totals = costs | dict.fromkeys(MODULE_9.blank_together, "")
    assert check(MODULE_9, no_totals) == []
    one_total_missing = costs | {"der_cost_total": ""}
    assert check(MODULE_9, one_total_missing) == ["der_cost_total: required, but blank"]
    assert check(MODULE_9, costs | {"service_cost_federal": ""}) == [
        "service_cost_federal: required, but blank"
    ]
    assert check(MODULE_9, costs | {"equipment_cost_total": "1234567890.00"}) == [
        "equipment_cost_total: 1234567890.00 has 10 integer digits, at most 9 (decimal(11,2))"
    ]


def test_file_rows_are_numbered_as_lines_and_summarised(tmp_path: Path) -> None:
    path = tmp_path / MODULE_4.file_name
    header = ",".join(OUTAGE)
    good = ",".join(OUTAGE.values())
    path.write_text(f"{header}\n{good}\n{good.replace('120.00', '-5')}\n", encoding="utf-8")
    (found,) = validate_file(path)
    assert found == Violation(
        "module4_outages.csv", 3, "outage_duration", "-5 is below the minimum 0.01"
    )
    assert str(found) == "module4_outages.csv row 3 outage_duration: -5 is below the minimum 0.01"
    many = [found] * 7
    assert summary(many).startswith("7 EV-ChART rule violation(s): module4_outages.csv row 3")
    assert summary(many).endswith("; and 2 more")


@pytest.mark.parametrize("module", [MODULE_2, MODULE_3, MODULE_4, MODULE_9])
def test_every_module_leads_with_station_and_network_provider(module: Module) -> None:
    assert module.columns[:2] == ("station_id", "network_provider")
    assert all(f.required for f in module.fields[:2])
