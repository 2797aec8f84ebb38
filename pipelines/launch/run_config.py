"""Run config of the runs this package launches: the warehouse resource, and a quiet console.

The data folder travels in the run config (shown with the run in the UI), not in the
environment: a step process rebuilds the job and its resources from it.
"""

from __future__ import annotations

from typing import Any

from pipelines.warehouse.layout import Layout

# Dagster's console logger: errors only, so its lines do not interleave with the progress lines.
QUIET: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def staging_config(layout: Layout, threads: int) -> dict[str, Any]:
    """For ``stage_days`` of :mod:`pipelines.launch.staging_job` (warehouse set at launch)."""
    warehouse = {"data_dir": str(layout.data_dir), "threads": threads}
    return {
        "resources": {"warehouse": {"config": warehouse}},
        "execution": {"config": {"in_process": {}}},
        **QUIET,
    }
