"""The fixture month's marts, built once per test session (copied per test that writes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.pipelines.reports.fixture_month import make_data_dir


@pytest.fixture(scope="session")
def built_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("month"))


@pytest.fixture
def data_dir(built_month: Path, tmp_path: Path) -> Path:
    """A private copy: tests write outboxes and logs into it."""
    return Path(shutil.copytree(built_month, tmp_path / "data"))
