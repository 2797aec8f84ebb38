"""The operator's EV-ChART station table (module 9 costs, operational dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.errors import ConfigFileError
from pipelines.exports import evchart_costs
from pipelines.exports.evchart_costs import CostValueError, UnknownStationError


def test_set_normalises_and_merges(tmp_path: Path) -> None:
    path = evchart_costs.csv_path(tmp_path)
    row = evchart_costs.set_values(
        path, "S1",
        {"equipment_cost_total": "$120,000.50", "station_upgrade": "yes",
         "equipment_install_date": "2024-05-20", "operational_date": "2024-06-01"},
    )  # fmt: skip
    assert (row["equipment_cost_total"], row["station_upgrade"]) == ("120000.50", "TRUE")
    assert row["equipment_install_date"] == "2024-05-20T00:00:00Z"
    evchart_costs.set_values(path, "S1", {"station_upgrade": ""})  # clears
    evchart_costs.set_values(path, "S2", {"der_cost_total": "0"})
    table = evchart_costs.load(path)
    assert sorted(table) == ["S1", "S2"]
    assert (table["S1"]["station_upgrade"], table["S1"]["equipment_cost_total"]) == (
        "",
        "120000.50",
    )
    assert evchart_costs.operational_dates(table) == {"S1": date(2024, 6, 1)}
    assert evchart_costs.has_costs(table["S2"])
    assert "der_cost_federal" in evchart_costs.missing(table["S2"])
    assert "der_cost_total" not in evchart_costs.missing(table["S2"])
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(evchart_costs.COLUMNS)
    assert evchart_costs.remove(path, "S2")["der_cost_total"] == "0"
    assert sorted(evchart_costs.load(path)) == ["S1"]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("equipment_cost_total", "12.345", "equipment_cost_total: 12.345 has 3 decimals"),
        ("equipment_cost_total", "-1", "equipment_cost_total: -1 is below the minimum 0"),
        ("station_upgrade", "maybe", "station_upgrade: 'maybe' is not TRUE or FALSE"),
        ("operational_date", "June", "operational_date: 'June' is not a date YYYY-MM-DD"),
        ("project_id", "p" * 37, "project_id: 37 characters, at most 36"),
        ("colour", "red", "colour: not a field"),
    ],
)
def test_set_refuses_values_that_break_module_9(
    tmp_path: Path, field: str, value: str, problem: str
) -> None:
    with pytest.raises(CostValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        evchart_costs.set_values(evchart_costs.csv_path(tmp_path), "S1", {field: value})
    assert not evchart_costs.csv_path(tmp_path).exists()


def test_hand_edited_file_is_checked(tmp_path: Path) -> None:
    path = evchart_costs.csv_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("station_id,der_cost_total\nS1,10\nS2,1.234\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"row 3: der_cost_total: 1.234 has 3 decimals"):
        evchart_costs.load(path)
    path.write_text("station_id,der_cost_total\nS1,10\nS1,20\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="row 3: station 'S1' twice"):
        evchart_costs.load(path)
    with pytest.raises(UnknownStationError, match="no station 'S9'"):
        evchart_costs.remove(path.with_name("none.csv"), "S9")
