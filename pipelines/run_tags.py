"""Run tags the pipelines set, and what reads them.

- ``cpo/batch``: the staging runs of one rebuild (``cpo pipelines run``, a split nightly
  rebuild); the marts sensor waits for the whole batch, then builds once.
- ``cpo/worker``: ``i/N``, which of the batch's N runs it is (``cpo pipelines run`` finds each
  run it launched by its batch and worker tags).
- ``cpo/writes``: ``warehouse`` on every run that writes ``warehouse.duckdb`` (one writer at a
  time): ``deploy/dagster/dagster.yaml`` limits the run queue to one such run.
- Dagster's own ``dagster/asset_partition_range_start|end``: one run materialises every
  partition of the range. Dagster documents these tags but exports no public constant for them
  (only ``dagster._core.storage.tags``), so they are spelled here; the staging tests run real
  range runs, which would fail if Dagster renamed them.
"""

from __future__ import annotations

BATCH = "cpo/batch"
WORKER = "cpo/worker"
WRITES = "cpo/writes"
WAREHOUSE_WRITER = {WRITES: "warehouse"}
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run materialise every day from ``first`` to ``last``."""
    return {RANGE_START: first, RANGE_END: last}
