"""LakeWriter: round trips, partitioning, flush triggers, options, validation, write errors.

Every test runs the real converter process (``flush``/``close`` wait for it)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import orjson
import polars as pl
import pytest

from ingest.lake import paths
from ingest.lake.arrow_rows import CHUNK_ROWS
from ingest.lake.reader import read_table
from ingest.lake.schemas import TABLES
from ingest.lake.writer import LakeFlushError, LakeWriter
from tests.ingest.lake.lake_samples import (
    LAST_US_OF_DAY,
    NODE,
    full_row,
    message_row,
    null_row,
    us_to_datetime,
    wait_for,
)


def expected_schema(table: str) -> dict[str, pl.DataType]:
    frame = pl.from_arrow(TABLES[table].empty_table())
    assert isinstance(frame, pl.DataFrame)
    return {**dict(frame.schema), "date": pl.Date()}


def partitions(lake: Path, table: str) -> list[str]:
    return sorted(p.name for p in paths.table_dir(lake, table).iterdir())


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_round_trips_exact_values_and_types(tmp_path: Path, table: str) -> None:
    rows = [full_row(table, 1), null_row(table, 2), full_row(table, 3)]
    with LakeWriter(tmp_path, NODE) as writer:
        for row, _ in rows:
            writer.append(table, row)
    frame = read_table(tmp_path, table)
    assert dict(frame.schema) == expected_schema(table)
    assert frame.schema[TABLES[table].names[0]] == pl.Datetime("us", "UTC")
    got = sorted(frame.drop("date").rows(), key=lambda r: r[0], reverse=True)
    assert got == [expected for _, expected in rows]
    assert frame["date"].to_list() == [dt.date(2024, 11, 21)] * 3


def test_rows_split_by_utc_date_at_midnight(tmp_path: Path) -> None:
    last_of_day = message_row(1)
    midnight = ((LAST_US_OF_DAY + 1) / 1e6, *message_row(2)[1:])
    with LakeWriter(tmp_path, NODE) as writer:
        writer.append_many([("ocpp_messages", last_of_day), ("ocpp_messages", midnight)])
    assert partitions(tmp_path, "ocpp_messages") == ["date=2024-11-21", "date=2024-11-22"]
    frame = read_table(tmp_path, "ocpp_messages").sort("received_at")
    assert frame["received_at"].to_list() == [
        us_to_datetime(LAST_US_OF_DAY), us_to_datetime(LAST_US_OF_DAY + 1)
    ]
    assert frame["date"].to_list() == [dt.date(2024, 11, 21), dt.date(2024, 11, 22)]


def test_null_partition_column_goes_to_today(tmp_path: Path) -> None:
    with LakeWriter(tmp_path, NODE) as writer:
        writer.append("ocpp_messages", (None, *message_row(1)[1:]))
    today = dt.datetime.now(dt.UTC).date()
    frame = read_table(tmp_path, "ocpp_messages")
    assert frame["received_at"].to_list() == [None]
    assert frame["date"].to_list() == [today]


def test_flush_interval_writes_without_explicit_flush(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=0.05)
    writer.start()
    try:
        writer.append("ocpp_messages", message_row(1))
        wait_for(lambda: writer.stats.rows_written == 1)
        assert read_table(tmp_path, "ocpp_messages")["unique_id"].to_list() == ["u1"]
        assert not list(paths.journal_dir(tmp_path, NODE).glob("seg-*"))  # segment deleted
    finally:
        writer.close()


def test_close_flushes_everything_and_is_idempotent(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600)
    writer.start()
    for i in range(1000):
        writer.append("ocpp_messages", message_row(i))
    writer.close()
    writer.close()
    assert read_table(tmp_path, "ocpp_messages").height == 1000
    stats = writer.stats
    assert (stats.rows_appended, stats.rows_written, stats.rows_pending) == (1000, 1000, 0)
    assert (stats.files_written, stats.flushes, stats.errors) == (1, 1, 0)
    with pytest.raises(RuntimeError, match="closed"):
        writer.append("ocpp_messages", message_row(1))


def test_flush_is_synchronous_and_empty_flush_writes_nothing(tmp_path: Path) -> None:
    with LakeWriter(tmp_path, NODE, flush_interval=3600) as writer:
        writer.flush()
        assert not paths.table_dir(tmp_path, "ocpp_messages").exists()
        writer.append("ocpp_messages", message_row(1))
        writer.flush()
        assert read_table(tmp_path, "ocpp_messages").height == 1
        writer.flush()
        assert writer.stats.files_written == 1


def test_disabled_writer_is_a_no_op(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with LakeWriter(lake, NODE, enabled=False) as writer:
        writer.append("ocpp_messages", message_row(1))
        writer.append_many([("ocpp_messages", message_row(2))])
        writer.flush()
    assert not lake.exists()
    assert writer.stats.rows_appended == 0


def test_journal_false_is_ignored_with_a_warning(tmp_path: Path) -> None:
    with pytest.warns(DeprecationWarning, match="journal=False"):
        writer = LakeWriter(tmp_path, NODE, journal=False, flush_interval=3600)
    writer.start()
    writer.append("ocpp_messages", message_row(1))
    assert len(list(paths.journal_dir(tmp_path, NODE).glob("seg-*.open"))) == 1  # journaled
    writer.close()
    assert read_table(tmp_path, "ocpp_messages").height == 1


def test_json_values_in_string_columns_are_stored_as_compact_json_text(tmp_path: Path) -> None:
    payload = {"connectorId": 1, "meterValue": [{"sampledValue": [{"value": "1.5"}]}],
               "ok": True, "none": None, "é": "ü"}
    row = (*message_row(1)[:9], payload, [1, "a", None], False, 3.5, 2.0)
    with LakeWriter(tmp_path, NODE) as writer:
        writer.append("ocpp_messages", row)
        writer.append_many([("ocpp_messages", (*message_row(2)[:9], [], None, 7, {}, None))])
    frame = read_table(tmp_path, "ocpp_messages").sort("unique_id")
    columns = ["payload", "raw", "error_code", "error_description"]
    assert frame.select(columns).rows() == [
        (orjson.dumps(payload).decode(), '[1,"a",null]', "false", "3.5"),
        ("[]", None, "7", "{}"),
    ]
    assert frame["payload"][0] == (
        '{"connectorId":1,"meterValue":[{"sampledValue":[{"value":"1.5"}]}],"ok":true,'
        '"none":null,"é":"ü"}'
    )
    assert writer.stats.rows_rejected == 0


@pytest.mark.parametrize("fsync", [False, True])
def test_append_journals_before_returning(tmp_path: Path, fsync: bool) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600, fsync=fsync)
    writer.start()
    writer.append("ocpp_messages", message_row(1))
    command = full_row("commands", 1)[0]
    writer.append_many([("ocpp_messages", message_row(2)), ("commands", command)])
    [segment] = paths.journal_dir(tmp_path, NODE).glob("seg-*")  # still open: not converted
    assert segment.suffix == ".open"
    lines = segment.read_bytes().splitlines()
    assert [orjson.loads(line)[0] for line in lines] == [0, 0, 3]  # table index in TABLES
    assert orjson.loads(lines[1])[1] == list(message_row(2))
    writer.close()
    assert not list(paths.journal_dir(tmp_path, NODE).glob("seg-*"))
    assert read_table(tmp_path, "ocpp_messages").height == 2


def test_bad_calls_raise_and_buffer_nothing(tmp_path: Path) -> None:
    with LakeWriter(tmp_path, NODE) as writer:
        with pytest.raises(KeyError):
            writer.append("no_such_table", message_row(1))
        with pytest.raises(ValueError, match="columns"):
            writer.append("ocpp_messages", message_row(1)[:-1])
        with pytest.raises(ValueError, match="columns"):
            writer.append_many([("ocpp_messages", message_row(1)), ("commands", (1.0,))])
        with pytest.raises(TypeError):
            writer.append("ocpp_messages", (*message_row(1)[:-1], object()))
        assert writer.stats.rows_appended == 0
    with pytest.raises(ValueError, match="node_id"):
        LakeWriter(tmp_path, "../evil")


def test_rows_of_the_wrong_type_are_set_apart(tmp_path: Path) -> None:
    bad = (*message_row(2)[:6], "not an int", *message_row(2)[7:])  # message_type is int8
    with LakeWriter(tmp_path, NODE) as writer:
        for row in (message_row(1), bad, message_row(3)):
            writer.append("ocpp_messages", row)
    assert sorted(read_table(tmp_path, "ocpp_messages")["unique_id"]) == ["u1", "u3"]
    assert writer.stats.rows_rejected == 1
    [rejected] = paths.rejected_dir(tmp_path, NODE).glob("ocpp_messages-*.jsonl")
    record = orjson.loads(rejected.read_bytes())
    assert record["row"][7] == "u2"
    assert "int" in record["error"].lower()


def test_a_bad_row_in_a_large_batch_only_sets_that_row_apart(tmp_path: Path) -> None:
    count = CHUNK_ROWS * 2 + 10
    bad_at = CHUNK_ROWS + 3
    with LakeWriter(tmp_path, NODE) as writer:
        for i in range(count):
            row = message_row(i)
            writer.append("ocpp_messages", (*row[:-1], "NaN?") if i == bad_at else row)
    ids = read_table(tmp_path, "ocpp_messages")["unique_id"]
    assert ids.len() == count - 1
    assert f"u{bad_at}" not in ids.to_list()
    assert writer.stats.rows_rejected == 1


@pytest.mark.slow
def test_write_error_keeps_rows_until_the_problem_is_fixed(tmp_path: Path) -> None:
    blocker = paths.table_dir(tmp_path, "ocpp_messages")
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the table directory should be")
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600)
    writer.start()
    writer.flush()  # nothing to write: the converter is up, and counts one failure per flush
    writer.append("ocpp_messages", message_row(1))
    writer.append("commands", full_row("commands", 1)[0])
    with pytest.raises(LakeFlushError, match="1 journal segments not written yet"):
        writer.flush()
    writer.append("ocpp_messages", message_row(2))
    with pytest.raises(LakeFlushError):
        writer.flush()
    assert writer.stats.errors == 2
    assert writer.stats.rows_pending == 3
    assert len(list(paths.journal_dir(tmp_path, NODE).glob("seg-*.jsonl"))) == 2  # on disk
    blocker.unlink()
    writer.close()
    assert sorted(read_table(tmp_path, "ocpp_messages")["unique_id"]) == ["u1", "u2"]
    assert read_table(tmp_path, "commands").height == 1
    assert writer.stats.rows_pending == 0
    assert not list(paths.journal_dir(tmp_path, NODE).glob("seg-*"))


def test_the_converter_retries_write_errors_on_its_own(tmp_path: Path) -> None:
    partition = paths.partition_dir(tmp_path, "ocpp_messages", "2024-11-21")
    partition.parent.mkdir(parents=True)
    partition.write_text("blocks the partition directory")
    writer = LakeWriter(tmp_path, NODE, flush_interval=0.02)
    writer.start()
    try:
        writer.append("ocpp_messages", message_row(1))
        wait_for(lambda: writer.stats.errors >= 3)  # retried, converter still alive
        partition.unlink()
        wait_for(lambda: writer.stats.rows_written == 1)
    finally:
        writer.close()
    assert read_table(tmp_path, "ocpp_messages")["unique_id"].to_list() == ["u1"]


def test_appends_racing_the_rotation_land_exactly_once(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=0.002)
    writer.start()
    writer.flush()  # the converter is up: it converts while the rows come in

    def produce(first: int, count: int) -> None:
        for i in range(first, first + count):
            writer.append("ocpp_messages", message_row(i))

    def race(first: int) -> None:  # two threads, 2,500 rows each
        threads = [threading.Thread(target=produce, args=(first + k * 2500, 2500))
                   for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    race(0)
    # A conversion pass of the first half (bounded wait) before the second half comes in, so
    # the converter provably works between appends however busy the machine is: one late pass
    # could otherwise take every segment at once.
    deadline = time.monotonic() + 20
    while writer.stats.rows_written == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    race(5000)
    writer.close()
    ids = read_table(tmp_path, "ocpp_messages")["unique_id"]
    assert ids.len() == 10_000
    assert ids.n_unique() == 10_000
    assert writer.stats.files_written > 1  # rotated while appending
    assert writer.stats.flushes > 1


@pytest.mark.slow
def test_a_second_live_writer_on_the_same_node_is_refused(tmp_path: Path) -> None:
    with LakeWriter(tmp_path, NODE):
        with pytest.raises(RuntimeError, match="in use"):
            LakeWriter(tmp_path, NODE).start()
        with LakeWriter(tmp_path, "node-b"):  # other nodes are fine
            pass
    with LakeWriter(tmp_path, NODE):  # released by close()
        pass


def test_temp_file_left_by_a_crash_is_removed_at_start(tmp_path: Path) -> None:
    partition = paths.partition_dir(tmp_path, "ocpp_messages", "2024-11-21")
    partition.mkdir(parents=True)
    mine = partition / paths.temp_file_name(NODE, "01a1ff8b-056b-7f9f-b798-43e351b366f9")
    other = partition / paths.temp_file_name(f"{NODE}-x", "01a1ff8b-056b-7f9f-b798-43e351b366f9")
    for temp in (mine, other):
        temp.write_bytes(b"half a parquet file")
    with LakeWriter(tmp_path, NODE):
        pass
    assert not mine.exists()
    assert other.exists()  # another node's file is not ours to delete
