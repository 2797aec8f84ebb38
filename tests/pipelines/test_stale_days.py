"""Which days a refresh restages: a live lake grows at its end, so a frame in the afternoon
restages its own day only; one just after midnight (it may answer a call of the day before),
a change the day before, or a rewritten part file restages the neighbour too."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ingest.data_folder import DataFolder
from ingest.lake.listing import PartFile
from pipelines.lake_signature import lake_parts
from pipelines.launch.stale_days import ANSWERS_WITHIN, changed_since, stale_days
from tests.pipelines.lake_fixture import FixtureLake, at

DAYS = ["2026-01-01", "2026-01-02"]


def land(data_dir: Path, *heartbeats: datetime) -> None:
    """New part files holding one heartbeat (and its answer) per time given."""
    lake = FixtureLake(data_dir)
    for when in heartbeats:
        lake.heartbeat(when, "CP-1")
    lake.write()


def test_the_first_refresh_stages_every_day(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    assert stale_days(DAYS, lake_parts(tmp_path), {}) == DAYS


def test_nothing_new_stages_nothing(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    seen = lake_parts(tmp_path)
    assert stale_days(DAYS, lake_parts(tmp_path), seen) == []


def test_frames_in_the_afternoon_restage_their_day_only(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    seen = lake_parts(tmp_path)
    land(tmp_path, at("2026-01-02T15:45:00"))
    assert stale_days(DAYS, lake_parts(tmp_path), seen) == ["2026-01-02"]


def test_frames_just_after_midnight_restage_the_day_before(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"))
    seen = lake_parts(tmp_path)
    land(tmp_path, at("2026-01-02T00:00:00") + ANSWERS_WITHIN / 2)
    assert stale_days(DAYS, lake_parts(tmp_path), seen) == DAYS


def test_a_change_the_day_before_restages_the_next(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    seen = lake_parts(tmp_path)
    land(tmp_path, at("2026-01-01T23:59:00"))
    assert stale_days(DAYS, lake_parts(tmp_path), seen) == DAYS


def test_a_rewritten_part_file_restages_the_day_before(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    seen = lake_parts(tmp_path)
    old = list(DataFolder(tmp_path).local_lake.rglob("date=2026-01-02/*.parquet"))
    land(tmp_path, at("2026-01-02T15:45:00"))  # compacted, say: the early frames are gone
    for part in old:
        part.unlink()
    assert stale_days(DAYS, lake_parts(tmp_path), seen) == DAYS


# From when the staging can differ (the incremental marts rebuild from that hour on).


def test_new_frames_change_the_staging_from_an_answer_before_them(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    seen = lake_parts(tmp_path)
    assert changed_since(lake_parts(tmp_path), seen) is None
    land(tmp_path, at("2026-01-02T15:45:00"), at("2026-01-03T01:00:00"))
    assert changed_since(lake_parts(tmp_path), seen) == at("2026-01-02T15:45:00") - ANSWERS_WITHIN


def test_a_part_file_gone_changes_its_day_from_before_midnight(tmp_path: Path) -> None:
    land(tmp_path, at("2026-01-01T12:00:00"), at("2026-01-02T08:00:00"))
    now = lake_parts(tmp_path)
    gone = ("ocpp_messages", PartFile("2026-01-02", "part-old.parquet", 10, "gone"))
    seen = {**now, "2026-01-02": now["2026-01-02"] | {gone}}  # compacted away, say
    assert changed_since(now, seen) == at("2026-01-02T00:00:00") - ANSWERS_WITHIN
