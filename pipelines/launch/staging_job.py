"""``stage_days`` as the code location declares it (job, asset, executor), as a reconstructable
job without the rest of the location.

Dagster's executor rebuilds the job in each step process by calling :func:`stage_days`: this
module loads only staging (the whole location imports the ML stack, seconds per process for
nothing). The warehouse is configured at launch, from the run config
(:func:`pipelines.launch.run_config.staging_config`), so a step process needs no environment
naming the data folder.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.automation import staging_job
from pipelines.defs.executor import chosen_executor
from pipelines.defs.staging.assets import lake, staging
from pipelines.resources import WarehouseResource


def stage_days() -> dg.JobDefinition:
    defs = dg.Definitions(
        assets=[*lake, staging],
        jobs=[staging_job],
        resources={"warehouse": WarehouseResource.configure_at_launch()},
        executor=chosen_executor(),  # the location's own (CPO_DAGSTER_EXECUTOR)
    )
    return defs.resolve_job_def(staging_job.name)


RECONSTRUCTABLE = dg.reconstructable(stage_days)
