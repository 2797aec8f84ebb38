"""The writer's active journal segment: the buffer of rows not yet in Parquet.

A line is handed to the kernel with one ``os.write`` on an ``O_APPEND`` descriptor before
``append`` returns: a ``kill -9`` keeps it (the page cache survives the process), a power loss does
not unless the segment is opened with ``fsync=True`` (``O_DSYNC``: every append then waits for the
disk). Line format and file names: see ``segments``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ingest.lake import paths
from ingest.lake.segments import close_segment, new_segment_id

logger = logging.getLogger(__name__)


class Journal:
    """The active ``seg-<id>.open`` file. Not thread-safe: the writer serialises the calls.

    The file is created on the first write, so idle periods create no files; its id is made when
    the segment is started, which dates the rows whose partition column is null.
    """

    __slots__ = ("_directory", "_fd", "_flags", "_logged", "segment_id")

    def __init__(self, directory: Path, *, fsync: bool = False) -> None:
        self._directory = directory
        self._flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_DSYNC if fsync else 0)
        self._fd = -1
        self._logged = False  # log a failing journal once per segment, not once per row
        self.segment_id = new_segment_id()

    def write(self, data: bytes) -> bool:
        """Hand ``data`` to the kernel; False (and logged) if it could not be journaled."""
        written = 0
        try:
            if self._fd < 0:
                self._open()
            written = os.write(self._fd, data)
            while written < len(data):  # short writes only happen on a full disk or a signal
                written += os.write(self._fd, data[written:])
        except OSError:
            if not self._logged:
                self._logged = True
                logger.exception("journal write failed in segment %s; rows lost", self.segment_id)
            if written:  # a torn line would garble the next one: end the segment after it
                retire(self.swap())
            return False
        return True

    def _open(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path(), self._flags, 0o644)

    def _path(self) -> Path:
        return self._directory / paths.open_segment_file_name(self.segment_id)

    def swap(self) -> tuple[int, Path] | None:
        """Start a new segment; the old one's (descriptor, path) if it has a file, for ``retire``.

        Cheap (no I/O), so it can run under the lock that serialises writes."""
        old = (self._fd, self._path()) if self._fd >= 0 else None
        self._fd = -1
        self._logged = False
        self.segment_id = new_segment_id()
        return old


def retire(old: tuple[int, Path] | None) -> None:
    """Close a swapped-out segment and rename it to its closed name, for the converter."""
    if old is None:
        return
    fd, path = old
    os.close(fd)
    try:
        close_segment(path)
    except OSError:  # left .open: closed by the next start (or a converter after our death)
        logger.exception("could not close journal segment %s", path)
