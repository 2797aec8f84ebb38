"""Jobs, schedules and sensors: staging runs by day, marts after every staging success.

- ``stage_days`` job: the daily-partitioned staging asset; a range of days runs as one run.
- ``build_marts`` job: every unpartitioned table (dimensions, sessions, KPIs) with their checks,
  in one process (they share one DuckDB file, which has one writer at a time).
- The lake sensor asks for a staging run of each day whose lake files changed; the run-status
  sensor asks for a marts run after each successful staging run, or after the last run of a
  batch of parallel staging runs (tag ``cpo/batch``).
- Schedules: hourly, today's and yesterday's partitions; nightly, every partition (full rebuild),
  split into runs of ``CPO_STAGING_DAYS_PER_RUN`` days when set, which the instance's run queue
  runs in parallel (``deploy/dagster/dagster.yaml``).
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from pipelines import day_chunks, run_tags
from pipelines.lake_signature import lake_signature
from pipelines.partitions import daily
from pipelines.resources import WarehouseResource
from pipelines.run_tags import range_tags

staging_job = dg.define_asset_job("stage_days", selection=dg.AssetSelection.groups("staging"))
# Training is its own weekly job (pipelines/defs/models), partner reports run per month and
# partner (pipelines/defs/reports); scoring rides along with the marts.
# In process: every step opens warehouse.duckdb, which takes one writer at a time, so a process
# per step (the default executor) only queued on the lock and paid a code-location load per step.
marts_job = dg.define_asset_job(
    "build_marts",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.groups("staging", "reports")
    - dg.AssetSelection.assets("fault_model"),
    executor_def=dg.in_process_executor,
    tags=run_tags.WAREHOUSE_WRITER,
)
UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dg.schedule(job=staging_job, cron_schedule="5 * * * *", execution_timezone="UTC")
def hourly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every hour: rebuild yesterday's and today's staging (late frames land in either)."""
    now = context.scheduled_execution_time or datetime.now(UTC)
    today = now.date()
    first = max((today - timedelta(days=1)).isoformat(), daily.start.date().isoformat())
    return dg.RunRequest(tags=range_tags(first, today.isoformat()))


@dg.schedule(job=staging_job, cron_schedule="30 2 * * *", execution_timezone="UTC")
def nightly_full(
    context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """Every night: rebuild every day the lake has, so a changed staging SQL reaches all days.

    One run per stretch of consecutive lake days (the days between hold no files, so no staging
    rows), or with ``CPO_STAGING_DAYS_PER_RUN`` one run per that many days, all in one batch:
    the run queue runs them in parallel and the marts build once, after the last.
    """
    days = warehouse.layout().lake_dates()
    if not days:
        return dg.SkipReason("the lake has no files yet")
    per_run = day_chunks.days_per_run()
    # One range per stretch of lake days: a 2014 replay beside this year's frames is two runs,
    # not one over the ten empty years between them.
    chunks = [
        chunk
        for first, last in day_chunks.stretches(days)
        for chunk in (
            [(first, last)] if per_run is None else day_chunks.by_size(first, last, per_run)
        )
    ]
    tick = (context.scheduled_execution_time or datetime.now(UTC)).strftime("%Y%m%dT%H%M")
    batch = {run_tags.BATCH: f"nightly-{tick}"} if len(chunks) > 1 else {}
    return [
        dg.RunRequest(run_key=f"{tick}:{first}", tags={**batch, **range_tags(first, last)})
        for first, last in chunks
    ]


# Running by default: whoever runs the daemon (`cpo up`, `cpo pipelines ui`) gets a warehouse
# that follows the lake, without switching anything on in the UI.
@dg.sensor(
    job=staging_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def lake_files(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult:
    """New or changed lake files of a day -> a staging run for that day."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    now = lake_signature(Path(warehouse.data_dir))
    changed = sorted(day for day, sig in now.items() if seen.get(day) != sig)
    requests = [
        dg.RunRequest(run_key=f"{day}:{now[day]}", partition_key=day)
        for day in changed
        if daily.has_partition_key(day)  # not all 9,000+ keys listed every minute
    ]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(now))


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[staging_job],
    request_job=marts_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def marts_after_staging(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    """Rebuild the marts once a staging run succeeded; for a batch, once all its runs did."""
    run = context.dagster_run
    batch = run.tags.get(run_tags.BATCH)
    if batch is None:
        return dg.RunRequest(run_key=f"after-{run.run_id}")
    records = context.instance.get_run_records(dg.RunsFilter(tags={run_tags.BATCH: batch}))
    others = [r.dagster_run for r in records if r.dagster_run.run_id != run.run_id]
    if any(o.status in UNFINISHED for o in others):
        return dg.SkipReason(f"batch {batch}: waiting for its other staging runs")
    failed = [o.run_id[:8] for o in others if o.status != dg.DagsterRunStatus.SUCCESS]
    if failed:
        return dg.SkipReason(f"batch {batch}: staging run(s) {', '.join(failed)} did not succeed")
    # The same key if two last runs finish together: Dagster launches it once.
    return dg.RunRequest(run_key=f"after-batch-{batch}")
