"""A lake URL that cannot work fails at once, in one line that says what to fix."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.errors import IngestError
from ingest.lake import location
from ingest.lake.errors import LakeStoreError, LakeUrlError
from ingest.lake.location import LakeLocation
from ingest.lake.reader import read_table
from ingest.lake.writer import LakeWriter
from pipelines.warehouse import raw_views
from pipelines.warehouse.layout import Layout
from tests.ingest.lake.lake_samples import NODE
from tests.lake_s3.conftest import S3Lake
from tests.lake_s3.s3_server import free_ports


def assert_fails(lake: LakeLocation, says: str, tmp_path: Path) -> None:
    """The writer's start, the Polars reader and the raw views all refuse the same way."""
    calls: list[Callable[[], object]] = [
        lambda: LakeWriter(tmp_path, NODE, lake_url=lake).start(),
        lambda: read_table(lake, "ocpp_messages"),
        lambda: raw_views.register(duckdb.connect(), lake),
    ]
    for call in calls:
        with pytest.raises(LakeStoreError, match=says) as raised:
            call()
        assert isinstance(raised.value, IngestError)  # a user error for the CLI
        assert "\n" not in str(raised.value)


@pytest.mark.slow
def test_a_missing_bucket_says_to_create_it(tmp_path: Path, s3_lake: S3Lake) -> None:
    missing = s3_lake.with_env({}, "s3://no-such-bucket/lake")
    assert_fails(missing, r"bucket 'no-such-bucket' does not exist at "
                 r"http://127\.0\.0\.1:\d+: create it", tmp_path)


def test_a_wrong_secret_says_to_check_the_credentials(tmp_path: Path, s3_lake: S3Lake
                                                      ) -> None:
    wrong = s3_lake.with_env({"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    assert_fails(wrong, "refused the credentials .* check AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY", tmp_path)


def test_an_unknown_access_key_says_to_check_the_credentials(tmp_path: Path, s3_lake: S3Lake
                                                            ) -> None:
    unknown = s3_lake.with_env({"AWS_ACCESS_KEY_ID": "nobody"})
    assert_fails(unknown, "(refused the credentials|denied access)", tmp_path)


@pytest.mark.slow
def test_an_unreachable_endpoint_says_to_start_the_server(tmp_path: Path, s3_lake: S3Lake
                                                           ) -> None:
    [closed] = free_ports(1)  # nothing listens there
    nowhere = s3_lake.with_env({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"})
    started = time.monotonic()
    assert_fails(nowhere, f"cannot reach http://127.0.0.1:{closed} .* start the server or "
                 "fix AWS_ENDPOINT_URL", tmp_path)
    assert time.monotonic() - started < 15  # retried a little, not for minutes


def test_a_malformed_url_fails_before_any_request(
    tmp_path: Path, s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(LakeUrlError, match="not a valid S3 bucket name"):
        LakeWriter(tmp_path, NODE, lake_url="s3://Not_A_Bucket/x")
    monkeypatch.setenv(location.LAKE_URL_ENV, "s4://lake/x")
    with pytest.raises(LakeUrlError, match="unsupported scheme 's4'") as raised:
        Layout(tmp_path).lake_dates()
    assert "\n" not in str(raised.value)
