"""A four-day lake for the parallel staging tests, and the staging one range builds from it.

Sessions, faults and silences cross every midnight, including the one between two workers'
ranges (03-02 | 03-03), so each worker must read its neighbours' days to get its own right.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import settings, staging_build
from pipelines.warehouse.layout import Layout
from tests.pipelines.lake_fixture import FixtureLake, at

DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]


def build_registry(data_dir: Path) -> None:
    with Registry(DataFolder(data_dir).registry_file) as reg:
        reg.add_charge_point(ChargePoint("A", site="S1", connectors=2, rated_kw=11.0))
        reg.add_charge_point(ChargePoint("B", site="S1", connectors=2, rated_kw=50.0))
        reg.add_id_tag(IdTag("TAG-ROAM", partner="EMSP-X"))


def build_lake(data_dir: Path) -> None:
    """The registry and the lake (in ``data_dir/lake``)."""
    build_registry(data_dir)
    lake = FixtureLake(data_dir)
    for i, day in enumerate(DAYS):
        last = i == len(DAYS) - 1
        morning = at(f"{day} 08:00")
        for cp in ("A", "B"):
            lake.boot16(morning, cp)
            lake.status16(morning + timedelta(minutes=1), cp, 1, "Available")
            for hour in range(9, 24, 3):
                lake.heartbeat(at(f"{day} {hour:02}:00"), cp)
        # A: a session from 22:30 to 00:20 the next day (the last day: to 23:55).
        start, wh = at(f"{day} 22:30"), 10_000 * i
        end = start + timedelta(minutes=85 if last else 110)
        lake.start16(start, "A", 1, "tag-roam", wh, 100 + i)
        # Peak power differs by day: a tie would make the demand peak's time arbitrary.
        lake.sample16(start + timedelta(minutes=30), "A", 1, 100 + i, wh + 3000, 7000 + 100 * i)
        lake.stop16(end, "A", 100 + i, wh + 6000)
        # B: a fault from 23:50 to 00:40 the next day; then silent until the next morning.
        lake.status16(at(f"{day} 23:50"), "B", 1, "Faulted", "GroundFailure")
        if not last:
            lake.status16(at(f"{day} 23:50") + timedelta(minutes=50), "B", 1, "Available")
    lake.write()


def stage_in_one_range(data_dir: Path) -> dict[str, int]:
    """Staging of every day as a 1-worker run builds it (one range, in this process, with the
    default 2 DuckDB threads where each of two workers has 1); rows per table."""
    layout = Layout(data_dir)
    return {
        name: staging_build.build_partitions(
            layout, name, sql_file, DAYS, settings.BuildSettings(), threads=2
        )
        for name, sql_file in staging_sql_files().items()
    }


def staging_files(data_dir: Path) -> dict[str, bytes]:
    """Every staging Parquet file of the data folder, by path under ``warehouse/staging``."""
    root = data_dir / "warehouse" / "staging"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}
