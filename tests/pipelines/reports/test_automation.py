"""Partner reports without a person: the sensor that keeps the partner partitions in step with
the marts, and the monthly schedule whose run requests really build and deliver (a real
Dagster instance and run on the fixture month's marts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from ingest.data_folder import DataFolder
from pipelines.defs.reports.assets import PARTNERS
from pipelines.defs.reports.automation import (
    monthly_partner_reports,
    previous_month,
    report_partners_sync,
)
from pipelines.reports.delivery_log import entries as read_log
from pipelines.reports.outbox import outbox_dir
from pipelines.resources import WarehouseResource

pytestmark = pytest.mark.slow  # each test builds a warehouse

PARTNER_NAMES = ["EMSP-FLEETCO", "EMSP-PLUGPAY", "EMSP-ROAMY", "HOST-HARBOR"]


@pytest.fixture
def instance(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    monkeypatch.setenv("CPO_DATA_DIR", str(data_dir))  # for the code location's own jobs
    with dg.instance_for_test() as temp:  # a real, on-disk instance in a temporary folder
        yield temp


def test_previous_month_crosses_the_year() -> None:
    assert previous_month(date(2026, 1, 3)) == "2025-12"
    assert previous_month(date(2026, 3, 31)) == "2026-02"


def _warehouse(data_dir: Path) -> dict[str, WarehouseResource]:
    return {"warehouse": WarehouseResource(data_dir=str(data_dir))}


def test_sync_adds_each_partner_once(instance: dg.DagsterInstance, data_dir: Path) -> None:
    with dg.build_sensor_context(instance=instance, resources=_warehouse(data_dir)) as context:
        first = report_partners_sync(context)
    assert isinstance(first, dg.SensorResult)
    [request] = first.dynamic_partitions_requests or []
    assert isinstance(request, dg.AddDynamicPartitionsRequest)
    assert sorted(request.partition_keys) == PARTNER_NAMES
    instance.add_dynamic_partitions(PARTNERS, list(request.partition_keys))
    with dg.build_sensor_context(instance=instance, resources=_warehouse(data_dir)) as context:
        again = report_partners_sync(context)
    assert isinstance(again, dg.SkipReason)


def test_sync_skips_a_folder_without_marts(tmp_path: Path) -> None:
    with dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(), resources=_warehouse(tmp_path / "empty")
    ) as context:
        result = report_partners_sync(context)
    assert isinstance(result, dg.SkipReason)
    assert "partners not readable yet" in (result.skip_message or "")


@pytest.mark.slow
def test_schedule_skips_until_partners_are_known(instance: dg.DagsterInstance) -> None:
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 2, 3, 4, tzinfo=UTC)
    )
    assert isinstance(monthly_partner_reports(context), dg.SkipReason)


def test_schedule_run_builds_and_delivers_last_month(
    instance: dg.DagsterInstance, data_dir: Path
) -> None:
    from pipelines.definitions import defs

    instance.add_dynamic_partitions(PARTNERS, PARTNER_NAMES)
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 2, 3, 4, tzinfo=UTC)
    )
    requests = monthly_partner_reports(context)
    assert isinstance(requests, list)
    assert [r.run_key for r in requests] == [f"2026-01:{p}" for p in PARTNER_NAMES]
    roamy = next(r for r in requests if r.run_key == "2026-01:EMSP-ROAMY")
    job = defs().resolve_job_def("partner_reports_job")
    result = job.execute_in_process(
        instance=instance, partition_key=roamy.partition_key, run_config=roamy.run_config
    )
    assert result.success
    assert (outbox_dir(data_dir, "EMSP-ROAMY", "2026-01") / "cdrs.json").is_file()
    # push asked for: no endpoint is configured for ROAMY in the fixture, and the log says so
    log = read_log(DataFolder(data_dir).reports)
    assert [(e["partner"], e["status"]) for e in log] == [("EMSP-ROAMY", "no_endpoint")]
