"""One parallel staging worker: ``python -m pipelines.stage_worker`` runs ``stage_days`` over a
range of days, as one Dagster run on the data folder's instance, in this process.

Started by :mod:`pipelines.parallel_staging`, one process per chunk of days. It loads only the
staging part of the code location (the ``stage_days`` job, its asset and the lake's external
assets): the whole location imports the ML stack, seconds of start-up per worker for nothing.
Exit code 0: the run succeeded; 3 (``RUN_FAILED``): it failed, its events say why; anything
else: the worker itself crashed (1: an uncaught exception, on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.parallel_staging import RUN_FAILED
from pipelines.resources import WarehouseResource
from pipelines.runner import QUIET, prepare_home
from pipelines.warehouse.layout import Layout


def staging_job(warehouse: WarehouseResource) -> dg.JobDefinition:
    """``stage_days`` as the code location defines it, without the rest of the location."""
    from pipelines.defs.automation import staging_job as job  # after the env names the folder
    from pipelines.defs.staging.assets import lake, staging

    defs = dg.Definitions(assets=[*lake, staging], jobs=[job], resources={"warehouse": warehouse})
    return defs.resolve_job_def(job.name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    parser.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    from pipelines.defs.automation import range_tags

    layout = Layout(args.data_dir.resolve())
    prepare_home(layout)
    warehouse = WarehouseResource(data_dir=str(layout.data_dir))
    if args.threads:
        warehouse = WarehouseResource(data_dir=str(layout.data_dir), threads=args.threads)
    tags = dict(tag.split("=", 1) for tag in args.tag)
    with dg.DagsterInstance.get() as instance:
        result = staging_job(warehouse).execute_in_process(
            instance=instance,
            tags={**tags, **range_tags(args.first, args.last)},
            run_id=args.run_id,
            run_config=QUIET,
            raise_on_error=False,
        )
    return 0 if result.success else RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
