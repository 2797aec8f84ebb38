"""The pipelines over an S3 lake: staging equals the same rows' staging from a local lake, and
the lake sensor sees new part files in the bucket."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ingest.lake import location
from ingest.lake.location import LakeLocation
from ingest.lake.schemas import TABLES
from ingest.lake.writer import LakeWriter
from pipelines.lake_signature import lake_signature
from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import settings, staging_build
from pipelines.warehouse.layout import Layout
from tests.ingest.lake.lake_samples import NODE, message_row
from tests.lake_s3.conftest import S3Lake
from tests.pipelines.lake_fixture import FixtureLake, at

DAYS = ["2026-03-01", "2026-03-02"]


def frames() -> FixtureLake:
    """Two days of 1.6 and 2.0.1 traffic: boots, a session with meter values, status changes,
    a fault, heartbeats, reconnects (FixtureLake only builds the rows here)."""
    lake = FixtureLake(Path("unused"))
    t0 = at("2026-03-01 10:00")
    lake.connection(t0 - timedelta(minutes=6), "A", "connect")
    lake.boot16(t0 - timedelta(minutes=5), "A")
    lake.status16(t0 - timedelta(minutes=1), "A", 1, "Preparing")
    lake.start16(t0, "A", 1, "TAG-1", 1000, 1)
    lake.status16(t0, "A", 1, "Charging")
    for k in range(1, 5):
        lake.sample16(t0 + timedelta(minutes=15 * k), "A", 1, 1, 1000 + 1500 * k, 7000)
    lake.stop16(t0 + timedelta(minutes=75), "A", 1, 7000)
    lake.status16(t0 + timedelta(minutes=75), "A", 1, "Available")
    lake.status16(at("2026-03-01 18:00"), "A", 2, "Faulted", "GroundFailure")
    lake.status16(at("2026-03-01 18:00"), "A", 2, "Available")  # same instant: order by file
    lake.connection(at("2026-03-01 23:30"), "A", "disconnect", "timeout")
    lake.tx201(at("2026-03-01 23:40"), "B", 2, "Started", "B-7", 0, 0, tag="TAG-2")
    lake.tx201(at("2026-03-02 00:10"), "B", 2, "Updated", "B-7", 30000, 1, watts=60000)
    lake.tx201(at("2026-03-02 00:30"), "B", 2, "Ended", "B-7", 30000, 2, reason="EVDisconnected")
    for h in range(0, 24, 3):
        lake.heartbeat(at("2026-03-02 00:00") + timedelta(hours=h), "B", version="2.0.1")
    return lake


def write_through_lake_writer(journal: Path, lake_url: LakeLocation | None, rows: FixtureLake
                              ) -> None:
    """The frames as the CSMS journals them (meter_values are derived by the converter)."""
    batch: list[tuple[str, tuple[object, ...]]] = []
    for table in ("ocpp_messages", "connection_events"):
        names = TABLES[table].names
        batch += [(table, tuple(_journaled(row.get(n)) for n in names))
                  for row in rows.rows[table]]
    with LakeWriter(journal, NODE, lake_url=lake_url) as writer:
        writer.append_many(batch)


def _journaled(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


def build_staging(data_dir: Path) -> dict[str, pl.DataFrame]:
    layout = Layout(data_dir)
    out: dict[str, pl.DataFrame] = {}
    for name, sql_file in staging_sql_files().items():
        staging_build.build_partitions(layout, name, sql_file, DAYS, settings.BuildSettings(),
                                       threads=1)
        files = sorted(layout.staging(name).glob("*/*.parquet"))
        frame = pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()
        out[name] = frame.sort(frame.columns) if files else frame
    return out


@pytest.mark.slow
def test_staging_from_an_s3_lake_equals_staging_from_a_local_lake(
    tmp_path: Path, s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = frames()
    local_dir, s3_dir = tmp_path / "local", tmp_path / "s3"
    write_through_lake_writer(location.resolve(local_dir).local_path, None, rows)
    write_through_lake_writer(tmp_path / "s3-journal", s3_lake.location, rows)
    local = build_staging(local_dir)
    # How the pipelines find it (an overwrite: tests/lake_s3/conftest.py says why).
    monkeypatch.setenv(location.LAKE_URL_ENV, s3_lake.url)
    assert str(Layout(s3_dir).lake) == s3_lake.url
    assert Layout(s3_dir).lake_dates() == DAYS
    remote = build_staging(s3_dir)
    assert local.keys() == remote.keys()
    non_empty = [name for name, frame in local.items() if frame.height]
    assert {"stg_status", "stg_meter", "stg_activity", "stg_tx_events"} <= set(non_empty)
    for name in local:
        assert local[name].equals(remote[name]), name


def test_the_lake_sensor_sees_new_part_files_in_the_bucket(
    tmp_path: Path, s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(location.LAKE_URL_ENV, s3_lake.url)
    assert lake_signature(tmp_path) == {}
    with LakeWriter(tmp_path, NODE, lake_url=s3_lake.location) as writer:
        writer.append("ocpp_messages", message_row(1))
    first = lake_signature(tmp_path)
    assert list(first) == ["2024-11-21"]
    assert lake_signature(tmp_path) == first  # nothing new, nothing changes
    with LakeWriter(tmp_path, NODE, lake_url=s3_lake.location) as writer:
        writer.append("ocpp_messages", message_row(2))
    second = lake_signature(tmp_path)
    assert list(second) == ["2024-11-21"]
    assert second != first
