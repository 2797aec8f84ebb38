"""Run tags the pipelines set, and what reads them.

- ``cpo/batch``: the staging runs of one parallel rebuild (``cpo pipelines run --workers N``, a
  split nightly rebuild); the marts sensor waits for the whole batch, then builds once.
- ``cpo/worker``: ``i/N``, which of the batch's worker processes ran it.
- ``cpo/writes``: ``warehouse`` on every run that writes ``warehouse.duckdb`` (one writer at a
  time): ``deploy/dagster/dagster.yaml`` limits the run queue to one such run.
"""

from __future__ import annotations

BATCH = "cpo/batch"
WORKER = "cpo/worker"
WRITES = "cpo/writes"
WAREHOUSE_WRITER = {WRITES: "warehouse"}
