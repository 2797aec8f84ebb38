"""Crash recovery: a writer or its converter killed by -9 loses nothing, duplicates nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

import orjson
import polars as pl
import pytest

from ingest.lake import paths
from ingest.lake.reader import read_table
from ingest.lake.writer import LakeWriter
from tests.ingest.lake.conftest import CrashChild
from tests.ingest.lake.lake_samples import (
    LAST_US_OF_DAY,
    NODE,
    journal_files,
    message_row,
    us_to_datetime,
)

pytestmark = pytest.mark.slow  # kill -9 of real writer processes


def recover(lake: Path) -> tuple[pl.DataFrame, LakeWriter]:
    """Start and close a new writer on the lake (its converter converts what was left), return
    what the lake holds."""
    writer = LakeWriter(lake, NODE, flush_interval=3600)
    writer.start()
    writer.close()
    return read_table(lake, "ocpp_messages"), writer


def segments(lake: Path) -> list[Path]:
    return sorted(paths.journal_dir(lake, NODE).glob("seg-*.jsonl"))


def part_files(lake: Path) -> list[Path]:
    return list(paths.table_dir(lake, "ocpp_messages").glob("*/*.parquet"))


def assert_exactly(frame: pl.DataFrame, ids: range) -> None:
    assert sorted(frame["unique_id"].to_list()) == sorted(f"u{i}" for i in ids)


def test_kill_9_of_the_writer_mid_load_its_converter_lands_every_row(
    crash_child: CrashChild,
) -> None:
    lake = crash_child("""
        for i in range(500):
            w.append("ocpp_messages", message_row(i))
        w.append_many([("ocpp_messages", message_row(i)) for i in range(500, 600)])
    """)
    # The orphaned converter saw EOF, closed the dead writer's open segment and converted it.
    assert_exactly(read_table(lake, "ocpp_messages"), range(600))
    assert journal_files(lake) == []
    frame, writer = recover(lake)
    assert_exactly(frame, range(600))
    assert writer.stats.rows_replayed == 0


def test_kill_9_of_writer_and_converter_loses_nothing(crash_child: CrashChild) -> None:
    lake = crash_child("""
        for i in range(500):
            w.append("ocpp_messages", message_row(i))
        w.append_many([("ocpp_messages", message_row(i)) for i in range(500, 600)])
    """, kill_converter=True)
    [left] = journal_files(lake)
    assert left.suffix == ".open"
    frame, writer = recover(lake)
    assert_exactly(frame, range(600))
    assert writer.stats.rows_replayed == 600
    assert journal_files(lake) == []
    row = frame.filter(pl.col("unique_id") == "u7").row(0, named=True)
    assert row["received_at"] == us_to_datetime(LAST_US_OF_DAY)  # exact after the JSON trip
    assert (row["payload"], row["latency_ms"], row["raw"]) == ('{"i": 7}', 7.0, None)


@pytest.mark.parametrize("kill_converter", [False, True])
def test_kill_9_after_some_flushes_gives_each_row_once(
    crash_child: CrashChild, kill_converter: bool
) -> None:
    lake = crash_child("""
        for i in range(300):
            w.append("ocpp_messages", message_row(i))
            if i in (99, 199):
                w.flush()
    """, kill_converter=kill_converter)
    assert len(part_files(lake)) == (2 if kill_converter else 3)
    frame, _ = recover(lake)
    assert_exactly(frame, range(300))
    assert len(part_files(lake)) == 3


def test_crash_after_rename_before_segment_delete_gives_no_duplicates(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600)
    writer.start()
    for i in range(50):
        writer.append("ocpp_messages", message_row(i))
    [segment] = journal_files(tmp_path)
    kept = tmp_path / "kept-segment"
    shutil.copyfile(segment, kept)
    writer.close()  # renames the part file into place, then deletes the segment
    # as if the converter had died between the two
    shutil.copyfile(kept, segment.with_suffix(".jsonl"))
    frame, again = recover(tmp_path)
    assert again.stats.rows_replayed == 50
    assert_exactly(frame, range(50))
    assert len(part_files(tmp_path)) == 1


def test_torn_last_line_is_skipped_and_the_rest_recovered(
    crash_child: CrashChild, capfd: pytest.CaptureFixture[str]
) -> None:
    lake = crash_child("""
        for i in range(100):
            w.append("ocpp_messages", message_row(i))
        [segment] = journal_dir(lake, node).glob("seg-*.open")
        with open(segment, "ab") as torn:
            torn.write(b'[0,[1732233599.9,"node-a","CP-1","co')  # died mid-write
    """, kill_converter=True)
    frame, writer = recover(lake)
    assert_exactly(frame, range(100))
    assert writer.stats.rows_replayed == 100
    assert "torn last line" in capfd.readouterr().err  # logged by the converter process


def test_malformed_lines_are_skipped_wherever_they_are(tmp_path: Path) -> None:
    directory = paths.journal_dir(tmp_path, NODE)
    directory.mkdir(parents=True)
    malformed = [b"not json", b'[0,["wrong width"]]', b"[9,[]]", b"{}", b""]
    body = [orjson.dumps([0, message_row(1)]), *malformed, orjson.dumps([0, message_row(2)])]
    segment = directory / paths.segment_file_name("01a1ff8b-056b-7f9f-b798-43e351b366f9")
    segment.write_bytes(b"\n".join(body) + b"\n")
    frame, writer = recover(tmp_path)
    assert_exactly(frame, range(1, 3))
    assert writer.stats.rows_replayed == 2
    assert segments(tmp_path) == []


def test_an_empty_leftover_segment_is_just_removed(tmp_path: Path) -> None:
    directory = paths.journal_dir(tmp_path, NODE)
    directory.mkdir(parents=True)
    (directory / paths.segment_file_name("01a1ff8b-056b-7f9f-b798-43e351b366f9")).touch()
    frame, writer = recover(tmp_path)
    assert frame.height == 0
    assert writer.stats.files_written == 0
    assert segments(tmp_path) == []


def test_replayed_null_dated_rows_keep_the_date_their_batch_was_opened(tmp_path: Path) -> None:
    directory = paths.journal_dir(tmp_path, NODE)
    directory.mkdir(parents=True)
    opened_ms = 1_732_190_400_000  # 2024-11-21 12:00 UTC, in the UUIDv7 of the segment
    segment_id = str(uuid.UUID(int=opened_ms << 80 | 0x7 << 76 | 0b10 << 62 | 12345))
    row = (None, *message_row(1)[1:])
    segment = directory / paths.segment_file_name(segment_id)
    segment.write_bytes(orjson.dumps([0, row]) + b"\n")
    frame, _ = recover(tmp_path)
    assert frame["date"].to_list() == [dt.date(2024, 11, 21)]
    assert frame["received_at"].to_list() == [None]


def test_files_not_named_like_segments_are_left_alone(tmp_path: Path) -> None:
    directory = paths.journal_dir(tmp_path, NODE)
    directory.mkdir(parents=True)
    stranger = directory / paths.segment_file_name("not-a-uuid")
    stranger.write_bytes(orjson.dumps([0, message_row(1)]) + b"\n")
    frame, _ = recover(tmp_path)
    assert frame.height == 0
    assert stranger.exists()
