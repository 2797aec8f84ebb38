"""The hand-made fixture warehouse, built once per test module in a tmp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config

from tests.dashboard.fixture import build


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dash"))


@pytest.fixture(autouse=True)
def served_on_loopback() -> Iterator[None]:
    """AppTest runs with no ``server.address``, which Streamlit reads as every address; the
    dashboard as ``cpo dashboard`` serves it is on 127.0.0.1: its local mode while no user
    exists (tests/dashboard/test_sign_in.py covers the rest)."""
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)
