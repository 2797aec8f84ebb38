"""Jobs, schedules and sensors: staging runs by day, marts after every staging success.

- ``stage_days`` job: the daily-partitioned staging asset; a range of days runs as one run.
- ``build_marts`` job: every unpartitioned table (dimensions, sessions, KPIs) with their checks.
- The lake sensor asks for a staging run of each day whose lake files changed; the run-status
  sensor asks for a marts run after each successful staging run.
- Schedules: hourly, today's and yesterday's partitions; nightly, every partition (full rebuild).
"""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from pipelines.lake_watch import lake_signature
from pipelines.partitions import daily, data_dir
from pipelines.warehouse.layout import Layout

staging_job = dg.define_asset_job("stage_days", selection=dg.AssetSelection.groups("staging"))
# Training is its own weekly job (pipelines/defs/models), partner reports run per month and
# partner (pipelines/defs/reports); scoring rides along with the marts.
marts_job = dg.define_asset_job(
    "build_marts",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.groups("staging", "reports")
    - dg.AssetSelection.assets("fault_model"),
)


def range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run materialise every day from ``first`` to ``last``."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


@dg.schedule(job=staging_job, cron_schedule="5 * * * *", execution_timezone="UTC")
def hourly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every hour: rebuild yesterday's and today's staging (late frames land in either)."""
    now = context.scheduled_execution_time or datetime.now(UTC)
    today = now.date()
    first = max((today - timedelta(days=1)).isoformat(), daily.start.date().isoformat())
    return dg.RunRequest(tags=range_tags(first, today.isoformat()))


@dg.schedule(job=staging_job, cron_schedule="30 2 * * *", execution_timezone="UTC")
def nightly_full(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Every night: rebuild every day the lake has, so a changed staging SQL reaches all days."""
    days = Layout(data_dir()).lake_dates()
    if not days:
        return dg.SkipReason("the lake has no files yet")
    return dg.RunRequest(tags=range_tags(days[0], days[-1]))


@dg.sensor(job=staging_job, minimum_interval_seconds=60)
def lake_files(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """New or changed lake files of a day -> a staging run for that day."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    now = lake_signature(data_dir())
    changed = sorted(day for day, sig in now.items() if seen.get(day) != sig)
    valid = set(daily.get_partition_keys())
    requests = [
        dg.RunRequest(run_key=f"{day}:{now[day]}", partition_key=day)
        for day in changed
        if day in valid
    ]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(now))


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[staging_job], request_job=marts_job
)
def marts_after_staging(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    """Rebuild the marts once a staging run succeeded."""
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")
