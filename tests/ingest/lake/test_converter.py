"""The converter process: killed mid-conversion, restarted, serialised per node, its protocol."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from ingest.lake import locks, paths
from ingest.lake.reader import read_table
from ingest.lake.segments import new_segment_id
from ingest.lake.writer import LakeFlushError, LakeWriter
from tests.ingest.lake.lake_samples import NODE, REPO, journal_files, message_row, wait_for


def write_segment(lake: Path, ids: range) -> Path:
    """A closed journal segment holding ``message_row(i)`` for ``i`` in ``ids``."""
    directory = paths.journal_dir(lake, NODE)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / paths.segment_file_name(new_segment_id())
    path.write_bytes(b"".join(orjson.dumps([0, message_row(i)]) + b"\n" for i in ids))
    return path


def visible_and_temp_files(lake: Path) -> tuple[int, int]:
    table = paths.table_dir(lake, "ocpp_messages")
    return len(list(table.glob("*/*.parquet"))), len(list(table.glob("*/.*.tmp")))


@pytest.mark.slow
def test_kill_9_of_the_converter_mid_conversion_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    count, per_segment = 100_000, 5_000
    for start in range(0, count, per_segment):  # a backlog, converted oldest first
        write_segment(tmp_path, range(start, start + per_segment))
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600)
    writer.start()
    first = writer.converter_pid
    assert first is not None
    wait_for(lambda: visible_and_temp_files(tmp_path)[0] > 0)
    os.kill(first, signal.SIGKILL)
    with contextlib.suppress(LakeFlushError):  # if it was not reaped yet, it dies under us
        writer.flush()
    writer.flush()  # a new converter finishes the backlog
    assert writer.converter_pid != first
    writer.close()
    ids = read_table(tmp_path, "ocpp_messages")["unique_id"]
    assert (ids.len(), ids.n_unique()) == (count, count)
    assert visible_and_temp_files(tmp_path)[1] == 0
    assert journal_files(tmp_path) == []


def test_a_dead_converter_is_restarted_by_the_writer(tmp_path: Path) -> None:
    writer = LakeWriter(tmp_path, NODE, flush_interval=0.05)
    writer.start()
    try:
        first = writer.converter_pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        writer.append("ocpp_messages", message_row(1))
        wait_for(lambda: visible_and_temp_files(tmp_path)[0] == 1)
        assert writer.converter_pid not in (None, first)
    finally:
        writer.close()
    assert read_table(tmp_path, "ocpp_messages")["unique_id"].to_list() == ["u1"]


@pytest.mark.slow
def test_flush_waits_for_a_previous_converter_of_the_node(tmp_path: Path) -> None:
    lock_file = paths.converter_lock_file(paths.journal_dir(tmp_path, NODE))
    draining = locks.try_lock(lock_file)  # stands for a dying server's converter
    assert draining is not None
    writer = LakeWriter(tmp_path, NODE, flush_interval=3600, flush_timeout=0.5)
    writer.start()
    try:
        writer.append("ocpp_messages", message_row(1))
        with pytest.raises(LakeFlushError, match=r"did not answer within 0\.5 s"):
            writer.flush()
        assert visible_and_temp_files(tmp_path) == (0, 0)
        locks.unlock(draining)
        writer.flush()  # the new converter got the lock
        assert read_table(tmp_path, "ocpp_messages").height == 1
    finally:
        writer.close()


class Converter:
    """``python -m ingest.lake.converter`` driven by hand."""

    def __init__(self, lake: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.lake.converter", "--lake", str(lake), "--node", NODE,
             "--interval", "3600"],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def ask(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"flush\n")
        self.proc.stdin.flush()

    def answer(self, timeout: float = 10.0) -> dict[str, object] | None:
        assert self.proc.stdout is not None
        readable, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return orjson.loads(self.proc.stdout.readline()) if readable else None

    def finish(self) -> tuple[int, dict[str, object] | None]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        last = self.answer()
        return self.proc.wait(10), last


@pytest.fixture
def converters(tmp_path: Path) -> Iterator[Callable[[], Converter]]:
    started: list[Converter] = []

    def start() -> Converter:
        started.append(Converter(tmp_path))
        return started[-1]

    yield start
    for converter in started:  # only left running when a test failed
        if converter.proc.poll() is None:
            converter.proc.kill()
            converter.proc.wait()


@pytest.mark.slow
def test_two_converters_of_one_node_never_run_at_once(
    tmp_path: Path, converters: Callable[[], Converter]
) -> None:
    first = converters()
    first.ask()
    answer = first.answer()
    assert answer is not None
    assert answer["answered"] == 1
    write_segment(tmp_path, range(10))
    second = converters()
    second.ask()
    assert second.answer(timeout=1.0) is None  # waits for the first one's lock
    code, last = first.finish()  # EOF: the first drains the segment and exits
    assert code == 0
    assert last is not None
    assert (last["rows_written"], last["answered"]) == (10, 1)
    answer = second.answer()
    assert answer is not None
    assert (answer["rows_written"], answer["answered"]) == (0, 1)
    code, last = second.finish()
    assert (code, last is not None and last["answered"]) == (0, 1)
    assert read_table(tmp_path, "ocpp_messages").height == 10
    assert journal_files(tmp_path) == []
