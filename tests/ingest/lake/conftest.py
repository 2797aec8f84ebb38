"""Fixtures for the lake tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.lake.lake_samples import (
    CHILD_PRELUDE,
    LAST_US_OF_DAY,
    NODE,
    REPO,
    wait_for_converters,
)

CrashChild = Callable[..., Path]


@pytest.fixture
def crash_child(tmp_path: Path) -> CrashChild:
    """``run(body, kill_converter=False)``: run ``body`` in a child process that has a started
    writer ``w`` on a lake, then kill -9 it (and first its converter if ``kill_converter``) before
    any further flush. Returns the lake once no converter of the node runs any more."""

    def run(body: str, kill_converter: bool = False) -> Path:
        lake = tmp_path / "lake"
        code = CHILD_PRELUDE.format(ts=LAST_US_OF_DAY / 1e6, node=NODE)
        code += textwrap.dedent(body)
        if kill_converter:
            code += "\nos.kill(w.converter_pid, signal.SIGKILL)"
        code += "\nos.kill(os.getpid(), signal.SIGKILL)\n"
        done = subprocess.run([sys.executable, "-c", code, str(lake)], cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == -9, done.stderr
        wait_for_converters(lake)  # an orphaned converter drains before it exits
        return lake

    return run
