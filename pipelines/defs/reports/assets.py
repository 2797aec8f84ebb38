"""Partner reports as a Dagster asset, partitioned by month x partner (eMSPs and site hosts).

The partner dimension is dynamic (``report_partners``): ``cpo reports partners`` adds every
roaming partner and site host found in the marts and config before it materialises.
The work itself is ``pipelines.reports.build.run_report`` (no Dagster there).
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from pathlib import Path

import dagster as dg

from pipelines.partitions import START
from pipelines.reports.build import run_report
from pipelines.reports.source import MARTS
from pipelines.resources import WarehouseResource

ASSET = "partner_reports"
PARTNERS = "report_partners"
report_months = dg.MonthlyPartitionsDefinition(start_date=START[:7], fmt="%Y-%m", end_offset=1)
report_partners = dg.DynamicPartitionsDefinition(name=PARTNERS)
report_partitions = dg.MultiPartitionsDefinition(
    {"month": report_months, "partner": report_partners}
)


class ReportConfig(dg.Config):
    push: bool = False
    force: bool = False


@dg.asset(
    name=ASSET,
    partitions_def=report_partitions,
    deps=list(MARTS),  # the marts the report reads
    group_name="reports",
    kinds={"pdf", "json", "csv"},
    description=(
        "Monthly partner reports in <data>/reports/outbox/<partner>/<YYYY-MM>/: eMSPs get their "
        "CDRs as OCPI 2.2.1 JSON and CSV and a PDF summary; site hosts a site report. A CDR "
        "belongs to the UTC month of its end. Reconciled with session_charges before delivery."
    ),
)
def partner_reports(
    context: dg.AssetExecutionContext, config: ReportConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:  # type: ignore[type-arg]
    key = context.partition_key
    assert isinstance(key, dg.MultiPartitionKey)
    month, partner = key.keys_by_dimension["month"], key.keys_by_dimension["partner"]
    outcome = run_report(
        Path(warehouse.data_dir), month, partner, do_push=config.push, force=config.force
    )
    context.log.info(outcome.line())
    if not outcome.ok:
        raise dg.Failure(description=outcome.line())
    return dg.MaterializeResult(
        metadata={
            "outbox": outcome.outbox,
            "folder": str(outcome.folder),
            "report_id": outcome.report_id or "",
            "delivery": outcome.delivery,
            "sessions": int(outcome.totals.get("sessions", 0)),
            "kwh": float(outcome.totals.get("kwh", 0.0)),
            "revenue": float(outcome.totals.get("revenue", 0.0)),
            "checks": dg.MetadataValue.json([c.as_dict() for c in outcome.checks]),
        }
    )


@dg.definitions
def reports_defs() -> dg.Definitions:
    return dg.Definitions(assets=[partner_reports])
