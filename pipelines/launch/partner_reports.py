"""``cpo reports partners``: materialise ``partner_reports`` partitions through Dagster, on the
data folder's DAGSTER_HOME (like ``cpo pipelines run``), so every report is a recorded
materialisation in ``cpo pipelines ui``. One run per partner: a run is one partition of a
month x partner asset."""

# No "from __future__ import annotations": kept like the asset module it drives.
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.launch.home import prepare_home
from pipelines.launch.run_config import QUIET
from pipelines.reports.build import resolve
from pipelines.reports.months import Month
from pipelines.resources import WarehouseResource
from pipelines.warehouse.layout import Layout


@dataclass
class PartnerRun:
    partner: str
    ok: bool
    message: str


def run(
    data_dir: Path,
    month: str,
    partner: str | None = None,
    push: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = print,
) -> list[PartnerRun]:
    from pipelines.defs.reports.assets import ASSET, PARTNERS, partner_reports

    layout = Layout(data_dir.resolve())
    the_month = Month.parse(month)
    partners = resolve(layout.data_dir, partner)  # clear errors before Dagster starts
    prepare_home(layout)
    resources = {"warehouse": WarehouseResource(data_dir=str(layout.data_dir))}
    config = {"ops": {ASSET: {"config": {"push": push, "force": force}}}, **QUIET}
    runs = []
    with dg.DagsterInstance.get() as instance:
        have = set(instance.get_dynamic_partitions(PARTNERS))
        missing = [p for p in partners if p not in have]
        if missing:
            instance.add_dynamic_partitions(PARTNERS, missing)
        for name in partners:
            key = dg.MultiPartitionKey({"month": the_month.key, "partner": name})
            result = dg.materialize(
                [partner_reports],
                partition_key=key,
                instance=instance,
                resources=resources,
                run_config=config,
                raise_on_error=False,
            )
            runs.append(_summary(name, result))
            progress(runs[-1].message)
    return runs


def _summary(partner: str, result: dg.ExecuteInProcessResult) -> PartnerRun:
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            text = (data.user_failure_data and data.user_failure_data.description) or (
                data.error.message.strip().splitlines()[-1] if data.error else "failed"
            )
            return PartnerRun(partner, False, str(text))
    records = result.get_asset_materialization_events()
    if not result.success or not records:
        return PartnerRun(partner, False, f"{partner}: run failed")
    meta = records[0].materialization.metadata
    line = (
        f"{partner}: {meta['sessions'].value} sessions, {float(str(meta['kwh'].value)):.3f} kWh, "
        f"revenue {float(str(meta['revenue'].value)):.2f}; outbox {meta['outbox'].value} "
        f"{meta['folder'].value}; push {meta['delivery'].value}"
    )
    return PartnerRun(partner, True, line)
