"""The lake on a real S3 server: LakeWriter uploads, every reader reads back, exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.lake import listing, location, paths
from ingest.lake.reader import attach, duckdb_scan_sql, read_table
from ingest.lake.writer import LakeFlushError, LakeWriter
from pipelines.warehouse import raw_views
from tests.ingest.lake.lake_samples import (
    CHILD_PRELUDE,
    LAST_US_OF_DAY,
    NODE,
    REPO,
    journal_files,
    message_row,
    wait_for_converters,
)
from tests.lake_s3.conftest import S3Lake
from tests.lake_s3.s3_server import S3Server, running, weed_binary


def ids(frame_ids: list[str]) -> list[str]:
    return sorted(frame_ids)


def expected(count: range) -> list[str]:
    return sorted(f"u{i}" for i in count)


def test_rows_written_to_s3_are_read_back_by_every_reader(tmp_path: Path, s3_lake: S3Lake
                                                          ) -> None:
    next_day = ((LAST_US_OF_DAY + 1) / 1e6, *message_row(99)[1:])
    lake = s3_lake.location  # the server's settings, explicitly
    with LakeWriter(tmp_path, NODE, lake_url=lake) as writer:
        writer.append_many([("ocpp_messages", message_row(i)) for i in range(3)])
        writer.flush()
        writer.append_many([("ocpp_messages", message_row(3)), ("ocpp_messages", next_day)])
    assert writer.stats.rows_written == 5
    # Part files went to the bucket; only the (empty) journal stayed on the local disk.
    assert not paths.table_dir(tmp_path, "ocpp_messages").exists()
    assert journal_files(tmp_path) == []
    parts = listing.list_parts(s3_lake.location, "ocpp_messages")
    assert [p.date for p in parts] == ["2024-11-21", "2024-11-21", "2024-11-22"]
    assert all(p.uri.startswith(f"{s3_lake.url}/ocpp_messages/date=") for p in parts)
    assert all(p.name.startswith(f"part-{NODE}-") and p.size > 0 for p in parts)

    frame = read_table(lake, "ocpp_messages")  # Polars
    assert ids(frame["unique_id"].to_list()) == [*expected(range(4)), "u99"]
    assert frame.filter(frame["unique_id"] == "u99")["date"].cast(str).to_list() == [
        "2024-11-22"]

    conn = duckdb.connect()  # DuckDB, over the whole table
    attach(conn, lake)
    scan = duckdb_scan_sql(lake, "ocpp_messages")
    assert conn.execute(f"SELECT count(*), count(DISTINCT date) FROM {scan}").fetchall() == [
        (5, 2)]

    raw = duckdb.connect()  # the pipelines' raw views, one day
    raw_views.register(raw, lake, ["2024-11-21"])
    rows = raw.execute("SELECT unique_id, filename, file_row_number FROM raw_ocpp_messages "
                       "ORDER BY filename, file_row_number").fetchall()
    assert [r[0] for r in rows] == ["u0", "u1", "u2", "u3"]
    assert {r[1] for r in rows} == {p.uri for p in parts[:2]}


def test_an_empty_s3_lake_reads_as_empty_typed_tables(s3_lake: S3Lake) -> None:
    frame = read_table(s3_lake.location, "commands")
    assert frame.height == 0
    assert "date" in frame.columns
    conn = duckdb.connect()
    raw_views.register(conn, s3_lake.location)
    assert conn.execute("SELECT count(*) FROM raw_meter_values").fetchall() == [(0,)]


def test_a_replay_after_a_crash_overwrites_the_same_objects(tmp_path: Path, s3_lake: S3Lake
                                                            ) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600, lake_url=s3_lake.location)
    writer.start()
    for i in range(50):
        writer.append("ocpp_messages", message_row(i))
    [segment] = journal_files(tmp_path)
    kept = tmp_path / "kept-segment"
    shutil.copyfile(segment, kept)
    writer.close()  # uploads the part file, then deletes the segment
    before = listing.list_parts(s3_lake.location, "ocpp_messages")
    # as if the converter had died between the upload and the delete
    shutil.copyfile(kept, segment.with_suffix(".jsonl"))
    again = LakeWriter(tmp_path, NODE, flush_interval=3600, lake_url=s3_lake.location)
    again.start()
    again.close()
    assert again.stats.rows_replayed == 50
    after = listing.list_parts(s3_lake.location, "ocpp_messages")
    assert [p.name for p in after] == [p.name for p in before]  # same key, not a second object
    assert ids(read_table(s3_lake.location, "ocpp_messages")["unique_id"].to_list()) == (
        expected(range(50)))


def test_kill_9_of_writer_and_converter_mid_load_loses_and_doubles_nothing(
    tmp_path: Path, s3_lake: S3Lake
) -> None:
    lake = tmp_path / "lake"
    code = CHILD_PRELUDE.format(ts=LAST_US_OF_DAY / 1e6, node=NODE).replace(
        "LakeWriter(lake, node, flush_interval=3600)",
        f"LakeWriter(lake, node, flush_interval=3600, lake_url={s3_lake.url!r})")
    code += (
        "for i in range(300):\n"
        "    w.append('ocpp_messages', message_row(i))\n"
        "    if i in (99, 199):\n"
        "        w.flush()\n"
        "os.kill(w.converter_pid, signal.SIGKILL)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(lake)], cwd=REPO,
                          env=location.child_env(os.environ, s3_lake.location),  # its AWS_*
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == -9, done.stderr
    wait_for_converters(lake)
    assert len(listing.list_parts(s3_lake.location, "ocpp_messages")) == 2
    [left] = journal_files(lake)  # the last 100 rows, journaled, not uploaded yet
    assert left.suffix == ".open"
    recovered = LakeWriter(lake, NODE, flush_interval=3600, lake_url=s3_lake.location)
    recovered.start()
    recovered.close()
    assert recovered.stats.rows_replayed == 100
    assert len(listing.list_parts(s3_lake.location, "ocpp_messages")) == 3
    assert ids(read_table(s3_lake.location, "ocpp_messages")["unique_id"].to_list()) == (
        expected(range(300)))


@pytest.mark.slow
def test_a_store_outage_keeps_rows_journaled_until_the_store_is_back(
    tmp_path: Path, s3_server: S3Server
) -> None:
    """A private server, killed under a running writer, then restarted on its folder."""
    binary = weed_binary()
    assert binary is not None
    with running(binary, tmp_path / "store") as store:
        url = location.parse(f"s3://{store.bucket}/outage", store.env())  # its own settings
        writer = LakeWriter(tmp_path / "lake", NODE, flush_interval=3600, lake_url=url)
        writer.start()
        writer.append("ocpp_messages", message_row(1))
        writer.flush()
        os.killpg(store.pid, signal.SIGKILL)  # the store goes away
        writer.append("ocpp_messages", message_row(2))
        with pytest.raises(LakeFlushError, match=r"cannot reach .* start the server"):
            writer.flush()
        [kept] = journal_files(tmp_path / "lake")  # the segment stays for a retry
        assert kept.suffix == ".jsonl"
        with running(binary, tmp_path / "store", store.ports):  # back, same data
            writer.close()  # the converter's retry uploads what was kept
            assert writer.stats.rows_written == 2
            assert ids(read_table(url, "ocpp_messages")["unique_id"].to_list()) == ["u1", "u2"]
