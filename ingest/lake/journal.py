"""The writer's crash journal: append-only JSON-lines segments, one per flush batch.

Each line is ``orjson.dumps([table_index, row]) + b"\\n"`` where ``table_index`` is the position of
the table in ``schemas.TABLES`` (so new tables must be added at the end of that dict). A line is
handed to the kernel with one ``os.write`` on an ``O_APPEND`` descriptor before ``append`` returns:
a ``kill -9`` keeps it (the page cache survives the process), a power loss does not unless the
segment is opened with ``fsync=True`` (``O_DSYNC``: every append then waits for the disk).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import orjson

from ingest.lake import paths

logger = logging.getLogger(__name__)

Row = tuple[object, ...]

_SEGMENT_GLOB = paths.segment_file_name("*")
_SEGMENT_PREFIX, _SEGMENT_SUFFIX = _SEGMENT_GLOB.split("*")
_MASK_48 = (1 << 48) - 1
_MASK_62 = (1 << 62) - 1


def new_segment_id() -> str:
    """A UUIDv7 (time-ordered, random): names the segment and the part files written from it."""
    ms = (time.time_ns() // 1_000_000) & _MASK_48
    rand_a = int.from_bytes(os.urandom(2), "big") & 0xFFF
    rand_b = int.from_bytes(os.urandom(8), "big") & _MASK_62
    return str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b))


def segment_time(segment_id: str) -> float:
    """Epoch seconds at which the segment id was made (the UUIDv7 timestamp, ms precision)."""
    return (uuid.UUID(segment_id).int >> 80) / 1000


def _is_segment_id(text: str) -> bool:
    try:
        return uuid.UUID(text).version == 7 and len(text) == 36
    except ValueError:
        return False


class Segment:
    """One journal file; opened lazily on the first write so idle periods create no files."""

    __slots__ = ("_fd", "_flags", "_logged", "_path", "exists", "segment_id")

    def __init__(self, directory: Path, segment_id: str, *, fsync: bool = False) -> None:
        self.segment_id = segment_id
        self._path = directory / paths.segment_file_name(segment_id)
        self._flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_DSYNC if fsync else 0)
        self._fd = -1
        self._logged = False  # log a failing journal once per segment, not once per row
        self.exists = False

    @property
    def path(self) -> Path:
        return self._path

    def write(self, data: bytes) -> bool:
        """Hand ``data`` to the kernel; False (and logged) if it could not be journaled."""
        try:
            if self._fd < 0:
                self._open()
            written = os.write(self._fd, data)
            while written < len(data):  # short writes only happen on a full disk or a signal
                written += os.write(self._fd, data[written:])
        except OSError:
            if not self._logged:
                self._logged = True
                logger.exception("journal write failed for %s; rows kept in memory", self._path)
            return False
        return True

    def _open(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, self._flags, 0o644)
        self.exists = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def delete(self) -> None:
        """Remove the file once its rows are in Parquet (a leftover means a harmless replay)."""
        self.close()
        if not self.exists:
            return
        try:
            self._path.unlink(missing_ok=True)
        except OSError:
            logger.exception("could not delete journal segment %s", self._path)
        self.exists = False

    @classmethod
    def existing(cls, path: Path) -> Segment:
        segment = cls(path.parent, _segment_id_of(path))
        segment.exists = True
        return segment


def leftover_segments(directory: Path) -> list[Path]:
    """Segments in ``directory``, oldest first (the ids are time-ordered)."""
    found = sorted(directory.glob(_SEGMENT_GLOB)) if directory.is_dir() else []
    for path in found:
        if not _is_segment_id(_segment_id_of(path)):
            logger.warning("ignoring %s: not a segment name this writer makes", path)
    return [path for path in found if _is_segment_id(_segment_id_of(path))]


def _segment_id_of(path: Path) -> str:
    return path.name[len(_SEGMENT_PREFIX) : -len(_SEGMENT_SUFFIX)]


def read_segment(path: Path, widths: Sequence[int]) -> list[list[Row]]:
    """Rows of a segment grouped by table index; torn or malformed lines are skipped and logged."""
    rows: list[list[Row]] = [[] for _ in widths]
    lines = path.read_bytes().split(b"\n")
    if lines[-1]:  # no final newline: the process died in the middle of this write
        logger.warning("skipping torn last line of %s: %r", path, lines[-1][:80])
    for number, line in enumerate(lines[:-1], start=1):
        parsed = _parse_line(line, widths)
        if parsed is None:
            logger.warning("skipping malformed line %d of %s: %r", number, path, line[:80])
        else:
            rows[parsed[0]].append(parsed[1])
    return rows


def _parse_line(line: bytes, widths: Sequence[int]) -> tuple[int, Row] | None:
    try:
        index, row = orjson.loads(line)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
    if not isinstance(index, int) or not 0 <= index < len(widths):
        return None
    if not isinstance(row, list) or len(row) != widths[index]:
        return None
    return index, tuple(row)


def lock_directory(directory: Path) -> int:
    """Exclusive lock so two live writers never share (and replay) one node's journal.

    The kernel drops the lock when the holder dies, even by ``kill -9``. Returns the descriptor
    to pass to ``unlock``; raises ``RuntimeError`` if another process holds it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RuntimeError(f"journal {directory} is in use by another writer") from None
    return fd


def unlock(fd: int) -> None:
    os.close(fd)  # closing the descriptor releases the flock
