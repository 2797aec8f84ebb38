"""Exclusion windows file: load, validate (row and field named), add, remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import exclusions
from pipelines.errors import ConfigFileError
from tests.pipelines.warehouse_kit import utc

HEADER = ",".join(exclusions.COLUMNS)
GOOD = "EW-0001,site,S01,2026-01-10T08:00:00Z,2026-01-10T12:00:00Z,scheduled_maintenance,,ops,"


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "exclusion_windows.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_missing_file_is_no_windows(tmp_path: Path) -> None:
    assert exclusions.load(tmp_path / "none.csv") == []


def test_loads_a_good_row(tmp_path: Path) -> None:
    (window,) = exclusions.load(write(tmp_path, GOOD))
    assert window.scope == "site"
    assert window.target == "S01"
    assert window.start_at == utc("2026-01-10 08:00")
    assert window.end_at == utc("2026-01-10 12:00")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (GOOD.replace("site,", "planet,"), "row 2, field scope: 'planet' is not one of"),
        (GOOD.replace("S01", ""), "row 2, field target: empty"),
        (GOOD.replace("site,S01", "network,S01"), "row 2, field target: must be empty"),
        (GOOD.replace("site,S01", "port,CP1"), "row 2, field target: 'CP1' is not a port id"),
        (GOOD.replace("2026-01-10T08:00:00Z", "tomorrow"), "row 2, field start_at: 'tomorrow'"),
        (GOOD.replace("12:00:00Z", "07:00:00Z"), "row 2, field end_at: must be after start_at"),
        (GOOD.replace("scheduled_maintenance", "rain"), "row 2, field cause: 'rain'"),
        (GOOD.replace("EW-0001", ""), "row 2, field window_id: empty"),
    ],
)
def test_bad_rows_name_row_and_field(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(ConfigFileError, match=message.replace("(", r"\(")):
        exclusions.load(write(tmp_path, row))


def test_duplicate_ids_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="row 3: window_id 'EW-0001' is used twice"):
        exclusions.load(write(tmp_path, GOOD, GOOD))
    with pytest.raises(ConfigFileError, match="missing column"):
        exclusions.load(write(tmp_path, "EW-1,site", header="window_id,scope"))


def test_add_assigns_ids_and_remove(tmp_path: Path) -> None:
    path = tmp_path / "config" / "exclusion_windows.csv"
    window = exclusions.ExclusionWindow(
        "", "port", "CP1/1", utc("2026-01-01 00:00"), utc("2026-01-02 00:00"), "vandalism",
        note="glass, broken",
    )  # fmt: skip
    first = exclusions.add(path, window)
    second = exclusions.add(path, window)
    assert (first.window_id, second.window_id) == ("EW-0001", "EW-0002")
    loaded = exclusions.load(path)
    assert [w.note for w in loaded] == ["glass, broken"] * 2
    assert exclusions.remove(path, "EW-0001").window_id == "EW-0001"
    assert [w.window_id for w in exclusions.load(path)] == ["EW-0002"]
    with pytest.raises(exclusions.UnknownWindowError, match="no exclusion window 'EW-0001'"):
        exclusions.remove(path, "EW-0001")
