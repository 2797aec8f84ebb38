"""Run config of the runs this package launches: the warehouse resource, the executor's
settings, and a quiet console.

The data folder travels in the run config (shown with the run in the UI), not in the
environment: a step process rebuilds the job and its resources from it.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from pipelines.defs.executor import chosen_executor
from pipelines.warehouse.layout import Layout

# Dagster's console logger: errors only, so its lines do not interleave with the progress lines.
QUIET: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
# A staging run is one step: on the location's default executor (multiprocess or in-process),
# it runs in the run's own process. A step process per run only added a Python start and a code
# load (measured: 17 s from the run's start to its step's on a loaded 2-CPU machine, against
# about 1 s in process). Celery and Kubernetes keep their own settings: the step runs remotely.
IN_PROCESS: dict[str, Any] = {"execution": {"config": {"in_process": {}}}}


def staging_config(layout: Layout, threads: int) -> dict[str, Any]:
    """For ``stage_days`` of :mod:`pipelines.launch.staging_job` (warehouse set at launch)."""
    warehouse = {"data_dir": str(layout.data_dir), "threads": threads}
    local = chosen_executor() is dg.multi_or_in_process_executor
    return {
        "resources": {"warehouse": {"config": warehouse}},
        **(IN_PROCESS if local else {}),
        **QUIET,
    }
