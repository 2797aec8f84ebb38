"""LakeWriter: the durable Parquet writer the OCPP server calls for every frame.

The journal IS the buffer. ``append`` (event-loop thread) encodes the row as one journal line
and ``os.write``s it to the active segment: that is all it does in this process. The rest:

1. Every ``flush_interval`` seconds (and on ``flush()``/``close()``) a light thread closes the
   active segment (``seg-<id>.open`` renamed to ``seg-<id>.jsonl``) and starts a new one.
2. A converter child process (``ingest.lake.converter``, started by ``start()``) turns closed
   segments into Parquet, oldest first, one file per (table, UTC date) named after the segment,
   then deletes the segment (see ``conversion`` for why each row lands exactly once). It polls
   on its own every ``flush_interval``, so rows land within about two intervals; Arrow work never
   takes this process's GIL.
3. ``start()`` closes the ``.open`` segments a crashed run left (the node lock proves their
   writer is dead); the converter then converts them like any other. If this process dies, even
   by ``kill -9``, the converter sees EOF on its stdin, closes our open segment, converts
   everything and exits. If the converter dies, the writer starts a new one.

Where the part files go: the ``lake`` folder, or ``lake_url`` (another folder, or an
``s3://bucket/prefix`` URL read with the AWS_* settings of the environment, or a ``LakeLocation``
with its settings; the converter child is given the store's settings in its environment).
The journal always stays in the local ``lake`` folder: it is the durability buffer, and an object
store only ever receives whole part files (one PUT each, overwritten by a replay, never doubled).
``start()`` makes one request to the store, so a wrong URL, bucket or key fails there, at once.

A row survives ``kill -9`` once ``append`` returns (a power loss too with ``fsync=True``). A write
error in the converter (disk full, permissions) keeps the segment on disk, is logged and counted,
and is retried at the next pass; rows that do not fit the schema are set apart in
``_rejected/<node>/``. A failed *journal* write (disk full) loses that row: it is counted in
``errors`` and logged, not raised, so the server keeps serving.

Values: see ``schemas`` (a string column may take a parsed JSON value, stored as compact JSON
text). A row whose partition column (the first) is None keeps the null but is filed under the UTC
date at which its segment was started (at most ``flush_interval`` before the append).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import orjson

from ingest.lake import location, locks, object_store, paths
from ingest.lake.converter_link import ConverterLink
from ingest.lake.journal import Journal, retire
from ingest.lake.location import LakeRef
from ingest.lake.schemas import TABLE_NAMES, WIDTHS
from ingest.lake.segments import close_orphans

logger = logging.getLogger(__name__)

Row = tuple[object, ...]

_NODE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")  # it goes into file names
_dumps = orjson.dumps
_NEWLINE = orjson.OPT_APPEND_NEWLINE
_NODE_LOCK_WAIT = 0.5  # a draining converter may hold our node lock for a moment
_RESPAWN_EVERY = 5.0  # seconds between restarts of a converter that keeps dying


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Appends are counted here; the rest is the converter's last report (summed over the
    converters of this writer: after a converter crash, the rows it converted since its last
    report are not counted, so ``rows_pending`` may stay above 0)."""

    rows_appended: int  # journaled by append/append_many
    rows_written: int  # landed in Parquet files, including rows replayed from the journal
    rows_replayed: int  # converted from segments a crashed run left
    rows_rejected: int  # could not be converted to the schema: set apart in _rejected/
    rows_pending: int  # appended or replayed, not in Parquet yet (as last reported)
    files_written: int
    flushes: int  # conversion passes that had rows to write
    last_flush_seconds: float
    errors: int  # conversion passes with a failure, plus failed journal writes


REAP_S = 2.0  # how long a converter that stopped answering gets to be seen as exited


class LakeFlushError(RuntimeError):
    """``flush``/``close`` could not write every row: they stay journaled for a retry."""


class LakeWriter:
    """Journaling, partitioned Parquet writer of one CSMS node. See the module doc.

    ``journal`` is ignored (kept for compatibility): the journal is the buffer now.
    ``converter_nice`` lowers the converter's priority: it only has to keep up on average.
    ``lake_url`` (a folder, ``s3://bucket/prefix`` or a ``LakeLocation``) receives the part files
    instead of ``lake``; a malformed one raises ``LakeUrlError`` here.
    """

    def __init__(self, lake: Path, node_id: str, *, flush_interval: float = 1.0,
                 journal: bool = True, enabled: bool = True, fsync: bool = False,
                 flush_timeout: float = 60.0, close_timeout: float = 120.0,
                 converter_nice: int = 10, lake_url: LakeRef | None = None) -> None:
        if not _NODE_ID.match(node_id):
            raise ValueError(f"node_id must match {_NODE_ID.pattern}: {node_id!r}")
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        if not journal:
            warnings.warn("LakeWriter(journal=False) is ignored: the journal is the buffer",
                          DeprecationWarning, stacklevel=2)
        self._lake = lake.absolute()
        self._store = location.of(self._lake if lake_url is None else lake_url)
        self._node_id = node_id
        self._interval = flush_interval
        self._enabled = enabled
        self._timeouts = (flush_timeout, close_timeout)
        self._nice = converter_nice
        self._journal_dir = paths.journal_dir(self._lake, node_id)
        self._journal = Journal(self._journal_dir, fsync=fsync)
        self._index = {name: i for i, name in enumerate(TABLE_NAMES)}
        self._lock = threading.Lock()  # serialises journal writes; held for one os.write
        self._rotate_lock = threading.Lock()  # a rotation is done (renamed) before a flush asks
        self._link_lock = threading.Lock()  # one conversation with the converter at a time
        self._link: ConverterLink | None = None
        self._accepting = enabled
        self._closed = self._started = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._appended = self._journal_errors = 0  # updated under self._lock
        self._respawn_at = 0.0

    # -- hot path (event loop) ---------------------------------------------------------------

    def append(self, table: str, row: Row) -> None:
        """Journal one row (columns in ``schemas.TABLES[table]`` order)."""
        if not self._accepting:  # disabled, or closed
            if self._closed:
                raise RuntimeError("LakeWriter is closed")
            return
        index = self._index[table]
        if len(row) != WIDTHS[index]:
            raise ValueError(f"{table} rows have {WIDTHS[index]} columns, got {len(row)}")
        self._write(_dumps((index, row), option=_NEWLINE), 1)

    def append_many(self, rows: Sequence[tuple[str, Row]]) -> None:
        """Journal several ``(table, row)`` with a single write."""
        if not self._accepting:
            if self._closed:
                raise RuntimeError("LakeWriter is closed")
            return
        lines = []
        for table, row in rows:
            index = self._index[table]
            if len(row) != WIDTHS[index]:
                raise ValueError(f"{table} rows have {WIDTHS[index]} columns, got {len(row)}")
            lines.append(_dumps((index, row), option=_NEWLINE))
        if lines:
            self._write(b"".join(lines), len(lines))

    def _write(self, data: bytes, count: int) -> None:
        with self._lock:
            if self._closed:  # close() began after the check in append
                raise RuntimeError("LakeWriter is closed")
            if self._journal.write(data):
                self._appended += count
            else:
                self._journal_errors += 1

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Take the node lock, close a crashed run's open segments, start the converter and the
        rotation thread. Quick (no Parquet I/O here)."""
        if self._started or self._closed:
            raise RuntimeError("start() may be called once, before close()")
        self._started = True
        if not self._enabled:
            return
        object_store.check(self._store)  # raises LakeStoreError, before anything is spawned
        self._lock_fd = locks.lock(paths.node_lock_file(self._journal_dir), _NODE_LOCK_WAIT)
        if self._lock_fd is None:
            raise RuntimeError(f"journal {self._journal_dir} is in use by another writer")
        try:
            self._rotate()  # rows appended before start() go to a segment of their own
            close_orphans(self._journal_dir)
            default = self._store == location.of(self._lake)
            store = [] if default else ["--lake-url", str(self._store)]
            self._link = ConverterLink([
                "--lake", str(self._lake), "--node", self._node_id, *store,
                "--interval", str(self._interval), "--since", self._journal.segment_id,
                "--nice", str(self._nice),
            ], location.child_env(os.environ, self._store))  # the store's settings, explicitly
            self._link.spawn()
        except BaseException:
            locks.unlock(self._lock_fd)
            self._lock_fd = None
            raise
        self._thread = threading.Thread(
            target=self._run, name=f"lake-writer-{self._node_id}", daemon=True
        )
        self._thread.start()

    def flush(self) -> None:
        """Convert everything appended so far; raises ``LakeFlushError`` if some rows could not
        be written (they stay journaled) or the converter did not answer within the timeout."""
        if not self._enabled or self._closed:
            return
        if self._link is None:
            raise RuntimeError("start() the writer before flush()")
        self._rotate()
        with self._link_lock:
            error = self._flush_once()
            if error is not None and self._link.wait_exit(REAP_S) is not None:
                error = self._flush_once()  # it died under us: a new converter takes over
        if error is not None:
            raise LakeFlushError(error)

    def _flush_once(self) -> str | None:
        assert self._link is not None
        if not self._link.alive():
            self._respawn()
        return self._link.flush(self._timeouts[0])

    def close(self) -> None:
        """Stop accepting rows, close the segment, let the converter drain and exit. Idempotent.

        Raises ``LakeFlushError`` if the converter failed or timed out; journaled rows are then
        converted by the next ``start()`` on this lake and node (or by the converter still
        draining in the background).
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
            error = self._finish()
        finally:
            if self._lock_fd is not None:
                locks.unlock(self._lock_fd)
                self._lock_fd = None
        if error is not None:
            raise LakeFlushError(error)

    def _finish(self) -> str | None:
        if self._link is None:
            return None
        self._rotate()
        with self._link_lock:
            if not self._link.alive():
                self._respawn()  # someone has to drain what is left
            return self._link.finish(self._timeouts[1])

    def __enter__(self) -> LakeWriter:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def store(self) -> location.LakeLocation:
        """Where the part files go."""
        return self._store

    @property
    def converter_pid(self) -> int | None:
        """Process id of the current converter (None if disabled or not started)."""
        return None if self._link is None else self._link.pid

    @property
    def stats(self) -> WriterStats:
        report = {} if self._link is None else self._link.totals()
        written, rejected = report.get("rows_written", 0), report.get("rows_rejected", 0)
        replayed = report.get("rows_replayed", 0)
        return WriterStats(
            rows_appended=self._appended, rows_written=written, rows_replayed=replayed,
            rows_rejected=rejected,
            rows_pending=max(0, self._appended + replayed - written - rejected),
            files_written=report.get("files_written", 0), flushes=report.get("flushes", 0),
            last_flush_seconds=report.get("last_flush_seconds", 0.0),
            errors=report.get("errors", 0) + self._journal_errors,
        )

    # -- rotation thread (or the caller of flush/close) --------------------------------------

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._rotate()
                self._watch_converter()
            except Exception:  # the thread must survive anything; rows stay journaled
                logger.exception("unexpected error in the lake rotation thread")

    def _rotate(self) -> None:
        """Close the active segment for the converter; appends wait only for the swap."""
        with self._rotate_lock:
            with self._lock:
                old = self._journal.swap()  # still renewed when empty: its id dates null rows
            retire(old)

    def _watch_converter(self) -> None:
        if self._link is None or not self._link_lock.acquire(blocking=False):
            return  # a flush is talking to it: it is alive enough
        try:
            if not self._link.alive() and time.monotonic() >= self._respawn_at:
                self._respawn()
        finally:
            self._link_lock.release()

    def _respawn(self) -> None:
        assert self._link is not None
        logger.error("lake converter (pid %s) exited with code %s; starting a new one",
                     self._link.pid, self._link.exit_code())
        self._respawn_at = time.monotonic() + _RESPAWN_EVERY
        self._link.spawn()
