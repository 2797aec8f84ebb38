"""The hand-made fixture warehouse, built once per test module in a tmp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard.fixture import build


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dash"))
