"""Partner reports on their own: the partner partitions kept in step with the marts and the
config, and last month's reports built and delivered early each month.

Why the 3rd: a CDR belongs to the month its session ended, and chargers that were offline at
the turn of the month upload those sessions late; two days let them land first. Delivery is
idempotent (the delivery log skips a report already delivered with the same figures), so a
re-run of the schedule delivers nothing twice.
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from pipelines.defs.reports.assets import ASSET, PARTNERS, report_partners
from pipelines.errors import PipelineError
from pipelines.reports.build import resolve
from pipelines.reports.months import Month
from pipelines.resources import WarehouseResource

# Its partitions are the asset's (define_asset_job's partitions_def= is deprecated).
reports_job = dg.define_asset_job("partner_reports_job", selection=[ASSET])


def previous_month(day: date) -> str:
    return Month(day.year, day.month).previous.key


@dg.sensor(minimum_interval_seconds=3600, default_status=dg.DefaultSensorStatus.RUNNING)
def report_partners_sync(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult | dg.SkipReason:
    """Add a partition for every eMSP and site host the marts and partners.json now name."""
    try:
        partners = resolve(Path(warehouse.data_dir), None)
    except (PipelineError, OSError) as exc:  # no marts yet: nothing to add
        return dg.SkipReason(f"partners not readable yet: {exc}")
    have = set(context.instance.get_dynamic_partitions(PARTNERS))
    missing = [p for p in partners if p not in have]
    if not missing:
        return dg.SkipReason(f"all {len(partners)} partners have partitions")
    return dg.SensorResult(dynamic_partitions_requests=[report_partners.build_add_request(missing)])


@dg.schedule(job=reports_job, cron_schedule="0 4 3 * *", execution_timezone="UTC")
def monthly_partner_reports(
    context: dg.ScheduleEvaluationContext,
) -> list[dg.RunRequest] | dg.SkipReason:
    """On the 3rd at 04:00 UTC: every partner's report for the month before, delivered."""
    now = context.scheduled_execution_time or datetime.now(UTC)
    month = previous_month(now.date())
    partners = sorted(context.instance.get_dynamic_partitions(PARTNERS))
    if not partners:
        return dg.SkipReason("no partner partitions yet (report_partners_sync adds them)")
    push = {"ops": {ASSET: {"config": {"push": True}}}}
    return [
        dg.RunRequest(
            run_key=f"{month}:{partner}",
            partition_key=dg.MultiPartitionKey({"month": month, "partner": partner}),
            run_config=push,
        )
        for partner in partners
    ]
