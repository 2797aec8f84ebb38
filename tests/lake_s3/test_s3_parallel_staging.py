"""Parallel staging (`cpo pipelines run --workers N`) over an S3 lake: the staging runs read the
bucket the command was pointed at, and a bad bucket stops the command before any starts."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pyarrow.fs as pafs
import pytest
from typer.testing import CliRunner

from ingest.lake import location, object_store
from pipelines import day_chunks
from pipelines.launch import RunSummary, prepare_home
from pipelines.launch.staging_runs import StagingRuns
from pipelines.warehouse.layout import Layout
from tests.lake_s3.conftest import S3Lake
from tests.pipelines.parallel_lake import (
    DAYS,
    build_lake,
    build_registry,
    stage_in_one_range,
    staging_files,
)
from workbench.cli import app


def upload(folder: Path, lake: S3Lake) -> None:
    """The local lake's part files, under the same names, to the S3 lake."""
    where = lake.location
    pafs.copy_files(
        str(folder),
        where.fs_path(),
        source_filesystem=pafs.LocalFileSystem(),
        destination_filesystem=object_store.filesystem(where),
    )


@pytest.mark.slow
def test_two_workers_stage_an_s3_lake_as_one_range_stages_it_from_a_folder(
    tmp_path: Path, s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    build_lake(local)
    reference = stage_in_one_range(local)  # CPO_LAKE_URL unset: the folder's own lake
    upload(local / "lake", s3_lake)
    build_registry(remote)  # and no lake folder: the runs can only read the bucket

    # As the user points the command; overwrites of names s3_server created (its doc says why).
    monkeypatch.setenv(location.LAKE_URL_ENV, s3_lake.url)
    layout = Layout(remote)
    for name, value in (("DAGSTER_HOME", layout.dagster_home), ("CPO_DATA_DIR", remote)):
        monkeypatch.setenv(name, str(value))  # restored afterwards (prepare_home sets them)
    prepare_home(layout)
    assert layout.lake_dates() == DAYS
    runs = StagingRuns(layout, day_chunks.split(DAYS[0], DAYS[-1], 2))
    summary, lines = RunSummary(DAYS[0], DAYS[-1]), list[str]()
    with dg.DagsterInstance.get() as instance:
        runs.start()
        runs.wait(instance, summary, lines.append, time.monotonic())
    assert summary.ok, lines
    assert summary.rows["staging"] == sum(reference.values()) > 0
    one, two = staging_files(local), staging_files(remote)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []  # byte for byte


def test_a_missing_bucket_stops_the_command_before_any_worker_starts(
    tmp_path: Path, s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(location.LAKE_URL_ENV, "s3://no-such-bucket/lake")
    args = ["pipelines", "run", "--data-dir", str(tmp_path), "--workers", "2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "error: bucket 'no-such-bucket' does not exist at http://127.0.0.1:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "dagster_home").exists()
