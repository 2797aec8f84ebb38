"""One parallel staging worker: ``python -m pipelines.launch.stage_worker`` runs ``stage_days``
over a range of days, as one Dagster run on the data folder's instance, in this process.

Started by :mod:`pipelines.launch.staging_runs`, one process per chunk of days: Dagster runs
are not safe as threads of one process (each run's start re-configures Python logging, which
deadlocked two runs started at once). The run is ``dg.execute_job`` of the reconstructable
staging job (:mod:`pipelines.launch.staging_job`), so the executor the code location declares
runs its step. Exit code 0: the run succeeded; 3 (``RUN_FAILED``): it failed, its events say
why; anything else: the worker itself crashed (1: an uncaught exception, on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.launch.home import prepare_home
from pipelines.launch.run_config import staging_config
from pipelines.launch.staging_job import RECONSTRUCTABLE
from pipelines.warehouse.layout import Layout

RUN_FAILED = 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--threads", type=int, required=True, help="DuckDB threads")
    parser.add_argument("--tags", required=True, help="the run's tags, as a JSON object")
    args = parser.parse_args(argv)

    layout = Layout(args.data_dir.resolve())
    prepare_home(layout)
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(
            RECONSTRUCTABLE,
            instance,
            run_config=staging_config(layout, args.threads),
            tags=json.loads(args.tags),
        )
    return 0 if result.success else RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
