"""LakeWriter: the durable buffered Parquet writer the OCPP server calls for every frame.

``append`` (event-loop thread) only journals the row and buffers it; a background thread turns
the buffers into Parquet. The protocol, and why every journaled row lands exactly once:

1. ``append`` serialises the row, then, under a lock held for microseconds, adds it to the
   current batch and writes it with one ``os.write`` to the batch's journal segment
   (``O_APPEND``). When it returns the row survives ``kill -9`` (not a power loss, unless
   ``fsync=True``).
2. Every ``flush_interval`` seconds (or on ``flush()``/``close()``) the current batch is swapped
   for an empty one with a new segment, so appends never wait for Parquet I/O.
3. The swapped batch is written as one file per (table, UTC date), named after its segment id:
   hidden temp file, fsync, ``os.replace``. Then its segment is deleted.
4. ``start()`` replays leftover segments (a crash) through step 3. A crash between the rename and
   the delete replays the segment into the *same* file names: overwritten, not duplicated.

A failed write (disk full, permissions) keeps the batch in memory and its segment on disk, is
logged and counted, and is retried at the next flush. Rows whose values cannot be converted to
the schema are set apart in ``_rejected/<node>/`` instead of blocking the batch forever.

A row whose partition column (the first) is None keeps the null but is filed under the UTC date
at which its batch was opened (at most ``flush_interval`` before the append; fixed, so retries
and replays of the batch file it under the same date).

Journal caveat: orjson writes NaN and infinities as null, so a replayed row has null where the
live row had NaN.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import orjson

from ingest.lake import journal, paths
from ingest.lake.arrow_rows import warm_up
from ingest.lake.batch import TABLE_NAMES, WIDTHS, Batch, write_batch
from ingest.lake.journal import Row, Segment
from ingest.lake.part_files import remove_stale_temp_files

logger = logging.getLogger(__name__)

_NODE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")  # it goes into file names
_dumps = orjson.dumps
_NEWLINE = orjson.OPT_APPEND_NEWLINE


@dataclass(frozen=True, slots=True)
class WriterStats:
    rows_appended: int  # accepted by append/append_many
    rows_written: int  # landed in Parquet files, including rows replayed from the journal
    rows_replayed: int  # read back by start() from the journal of a crashed run
    rows_rejected: int  # could not be converted to the schema: set apart in _rejected/
    rows_pending: int  # appended or replayed, not in Parquet yet
    files_written: int
    flushes: int  # flush rounds that had rows to write
    last_flush_seconds: float
    errors: int  # failed write rounds plus failed journal writes


class LakeFlushError(RuntimeError):
    """``flush``/``close`` could not write every row: they are kept (and journaled) for a retry."""


class LakeWriter:
    """Buffered, journaled, partitioned Parquet writer of one CSMS node. See the module doc."""

    def __init__(self, lake: Path, node_id: str, *, flush_interval: float = 1.0,
                 journal: bool = True, enabled: bool = True, fsync: bool = False) -> None:
        if not _NODE_ID.match(node_id):
            raise ValueError(f"node_id must match {_NODE_ID.pattern}: {node_id!r}")
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        self._lake = lake
        self._node_id = node_id
        self._interval = flush_interval
        self._enabled = enabled
        self._journal = journal and enabled
        self._fsync = fsync  # O_DSYNC segments: power-loss safe, but append waits for the disk
        self._journal_dir = paths.journal_dir(lake, node_id)
        self._index = {name: i for i, name in enumerate(TABLE_NAMES)}
        self._lock = threading.Lock()  # guards self._batch; held for microseconds
        self._flush_lock = threading.Lock()  # one flush at a time: thread, flush(), close()
        self._batch = self._new_batch()
        self._pending: list[Batch] = []  # swapped out, not written yet, oldest first
        self._accepting = enabled
        self._closed = self._started = self._failing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd = -1
        self._appended = self._journal_errors = 0  # updated under self._lock
        self._written = self._replayed = self._rejected = self._files = 0  # under _flush_lock
        self._flushes = self._flush_errors = 0
        self._last_flush = 0.0

    # -- hot path (event loop) ---------------------------------------------------------------

    def append(self, table: str, row: Row) -> None:
        """Buffer one row (columns in ``schemas.TABLES[table]`` order); journaled on return."""
        if not self._accepting:
            if self._closed:
                raise RuntimeError("LakeWriter is closed")
            return
        index = self._index[table]
        if len(row) != WIDTHS[index]:
            raise ValueError(f"{table} rows have {WIDTHS[index]} columns, got {len(row)}")
        line = _dumps((index, row), option=_NEWLINE) if self._journal else b""
        with self._lock:
            batch = self._batch
            batch.rows[index].append(row)
            batch.count += 1
            self._appended += 1
            if line and not batch.segment.write(line):
                self._journal_errors += 1

    def append_many(self, rows: Sequence[tuple[str, Row]]) -> None:
        """Buffer several ``(table, row)`` with a single journal write."""
        if not self._accepting:
            if self._closed:
                raise RuntimeError("LakeWriter is closed")
            return
        indexed = [(self._index[table], row) for table, row in rows]
        for index, row in indexed:
            if len(row) != WIDTHS[index]:
                raise ValueError(f"{TABLE_NAMES[index]} rows have {WIDTHS[index]} columns")
        data = b"".join([_dumps(x, option=_NEWLINE) for x in indexed]) if self._journal else b""
        with self._lock:
            batch = self._batch
            for index, row in indexed:
                batch.rows[index].append(row)
            batch.count += len(indexed)
            self._appended += len(indexed)
            if data and not batch.segment.write(data):
                self._journal_errors += 1

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Replay a crashed run's journal into Parquet, then start the flush thread.

        Blocking (Parquet I/O): call it before serving, or through ``asyncio.to_thread``.
        """
        if self._started or self._closed:
            raise RuntimeError("start() may be called once, before close()")
        self._started = True
        if not self._enabled:
            return
        self._lock_fd = journal.lock_directory(self._journal_dir)
        warm_up()
        remove_stale_temp_files(self._lake, self._node_id)
        self._replay()
        self._thread = threading.Thread(
            target=self._run, name=f"lake-writer-{self._node_id}", daemon=True
        )
        self._thread.start()

    def flush(self) -> None:
        """Write everything appended so far; raises ``LakeFlushError`` if some rows could not be."""
        if not self._enabled:
            return
        error = self._flush_once()
        if error is not None:
            pending = self.stats.rows_pending
            raise LakeFlushError(f"{pending} rows not written yet, kept for retry") from error

    def close(self) -> None:
        """Stop accepting rows, stop the thread, final flush. Idempotent.

        Raises ``LakeFlushError`` if the final flush failed; journaled rows are then replayed by
        the next ``start()`` on this lake and node.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._accepting = False
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.flush()
        finally:
            if self._lock_fd >= 0:
                journal.unlock(self._lock_fd)
                self._lock_fd = -1

    def __enter__(self) -> LakeWriter:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def stats(self) -> WriterStats:
        pending = self._batch.count + sum(batch.count for batch in list(self._pending))
        return WriterStats(
            rows_appended=self._appended, rows_written=self._written,
            rows_replayed=self._replayed, rows_rejected=self._rejected, rows_pending=pending,
            files_written=self._files, flushes=self._flushes,
            last_flush_seconds=self._last_flush,
            errors=self._flush_errors + self._journal_errors,
        )

    # -- flushing (background thread, or the caller of flush/close) ----------------------------

    def _new_batch(self) -> Batch:
        return Batch(Segment(self._journal_dir, journal.new_segment_id(), fsync=self._fsync))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._flush_once()
            except Exception:  # the thread must survive anything; the rows stay pending
                self._flush_errors += 1
                logger.exception("unexpected error in the lake flush thread")

    def _flush_once(self) -> Exception | None:
        with self._flush_lock:
            self._swap()
            if not self._pending:
                return None
            started = time.perf_counter()
            error = self._write_pending()
            self._flushes += 1
            self._last_flush = time.perf_counter() - started
            return error

    def _swap(self) -> None:
        """New rows go to a new batch and segment; the lock is held for a few assignments."""
        fresh = self._new_batch()
        with self._lock:
            old, self._batch = self._batch, fresh
            if old.count == 0:  # still renewed: a batch's id dates its null-date rows
                return
        self._pending.append(old)
        old.segment.close()  # no append can reach it any more: they go through self._batch

    def _write_pending(self) -> Exception | None:
        """Write pending batches oldest first; stop at the first failure (kept for next time)."""
        while self._pending:
            batch = self._pending[0]
            try:
                result = write_batch(self._lake, self._node_id, batch)
            except Exception as exc:
                self._on_write_error(exc)
                return exc
            batch.segment.delete()
            del self._pending[0]
            self._written += result.rows_written
            self._rejected += result.rows_rejected
            self._files += result.files_written
        if self._failing:
            self._failing = False
            logger.warning("lake writes recovered")
        return None

    def _on_write_error(self, exc: Exception) -> None:
        self._flush_errors += 1
        rows = sum(b.count for b in self._pending)
        if not self._failing:  # one traceback per outage, then one line per retry
            logger.exception("lake write failed; %d rows kept for retry", rows)
        else:
            logger.warning("lake write still failing (%s); %d rows kept", exc, rows)
        self._failing = True

    def _replay(self) -> None:
        own = {self._batch.segment.segment_id, *(b.segment.segment_id for b in self._pending)}
        with self._flush_lock:
            for path in journal.leftover_segments(self._journal_dir):
                segment = Segment.existing(path)
                if segment.segment_id in own:
                    continue
                rows = journal.read_segment(path, WIDTHS)
                batch = Batch(segment, rows, sum(len(table_rows) for table_rows in rows))
                self._replayed += batch.count
                logger.info("replaying %d journaled rows from %s", batch.count, path)
                self._pending.append(batch)
            self._write_pending()
