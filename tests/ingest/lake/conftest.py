"""Fixtures for the lake tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.lake.lake_samples import CHILD_PRELUDE, LAST_US_OF_DAY, NODE, REPO


@pytest.fixture

def crash_child(tmp_path: Path) -> Callable[[str], Path]:
    """Run ``body`` in a child process that has a started writer ``w`` on a lake, then kill -9
    itself before any further flush. Returns the lake."""

    def run(body: str) -> Path:
        lake = tmp_path / "lake"
        code = CHILD_PRELUDE.format(ts=LAST_US_OF_DAY / 1e6, node=NODE)
        code += textwrap.dedent(body) + "\nos.kill(os.getpid(), signal.SIGKILL)\n"
        done = subprocess.run([sys.executable, "-c", code, str(lake)], cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == -9, done.stderr
        return lake

    return run
