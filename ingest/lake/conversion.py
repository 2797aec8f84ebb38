"""One conversion pass of the converter process: every closed segment to Parquet, oldest first.

Why every journaled row lands exactly once: a segment becomes one part file per (table, UTC date),
named after the segment id (hidden temp file, fsync, ``os.replace``, see ``part_files``), and the
segment is deleted only after all of them are in place. A crash in between converts the segment
again into the *same* names: overwritten, not duplicated. ``meter_values`` rows are derived here
from the segment's OCPP frames (:mod:`meter_flatten`), so they follow the same rule. A segment
that fails (disk full, permissions) stays on disk and is retried by the next pass; the others
still go through.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.lake import paths
from ingest.lake.batch import Batch, write_batch
from ingest.lake.location import LakeLocation
from ingest.lake.meter_flatten import meter_rows
from ingest.lake.schemas import TABLES, WIDTHS
from ingest.lake.segments import closed_segments, read_segment, segment_id_of

logger = logging.getLogger(__name__)
_MESSAGES = list(TABLES).index("ocpp_messages")
_METER = list(TABLES).index("meter_values")


@dataclass(slots=True)
class ConverterStats:
    """Cumulative over the life of one converter process (sent to the writer as JSON)."""

    rows_written: int = 0
    files_written: int = 0
    rows_rejected: int = 0  # set apart in _rejected/
    rows_replayed: int = 0  # read from segments older than the writer's first one (a crash)
    flushes: int = 0  # passes that converted at least one segment
    errors: int = 0  # passes in which some segment failed
    last_flush_seconds: float = 0.0
    segments_left: int = 0  # after the last pass: failed ones, kept for a retry
    last_error: str | None = None  # of the last pass, None if it fully succeeded

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Converter:
    """Converts a node's closed journal segments. The caller holds the node's converter lock.

    The journal is in the ``lake`` folder; part files go to ``store`` (default: that folder).
    """

    def __init__(self, lake: Path, node_id: str, since: str,
                 store: LakeLocation | None = None) -> None:
        self._lake = lake
        self._store = store
        self._node_id = node_id
        self._journal = paths.journal_dir(lake, node_id)
        self._since = since  # segments with a smaller id were left by an earlier run
        self._counted: set[str] = set()  # replayed segments already counted
        self.stats = ConverterStats()

    @property
    def failing(self) -> bool:
        return self.stats.last_error is not None

    def run_pass(self) -> bool:
        """Convert every closed segment; True if anything was converted or failed."""
        started = time.perf_counter()
        converted = 0
        failures: list[Exception] = []
        for path in closed_segments(self._journal):
            try:
                self._convert(path)
            except Exception as exc:  # kept on disk; the next pass retries it
                failures.append(exc)
            else:
                converted += 1
        if converted:
            self.stats.flushes += 1
            self.stats.last_flush_seconds = time.perf_counter() - started
        self._after_pass(failures)
        return bool(converted or failures)

    def _convert(self, path: Path) -> None:
        segment_id = segment_id_of(path)
        rows, count = read_segment(path, WIDTHS)
        rows[_METER].extend(meter_rows(rows[_MESSAGES]))  # derived: same segment, same result
        if segment_id < self._since and segment_id not in self._counted:
            self._counted.add(segment_id)
            self.stats.rows_replayed += count
            logger.info("replaying %d journaled rows from %s", count, path.name)
        result = write_batch(self._lake, self._node_id, Batch(segment_id, rows, count),
                             self._store)
        path.unlink(missing_ok=True)  # only now: a crash before this converts it again
        self.stats.rows_written += result.rows_written
        self.stats.rows_rejected += result.rows_rejected
        self.stats.files_written += result.files_written

    def _after_pass(self, failures: list[Exception]) -> None:
        stats = self.stats
        was_failing = self.failing
        stats.segments_left = len(failures)
        if not failures:
            stats.last_error = None
            if was_failing:
                logger.warning("lake writes recovered")
            return
        stats.errors += 1
        stats.last_error = f"{type(failures[0]).__name__}: {failures[0]}"
        if not was_failing:  # one traceback per outage, then one line per retry
            logger.error("lake write failed; %d segments kept for retry", len(failures),
                         exc_info=failures[0])
        else:
            logger.warning("lake write still failing (%s); %d segments kept",
                           stats.last_error, len(failures))
