"""``cpo dashboard`` stops Streamlit with itself: a SIGTERM to the command used to leave
Streamlit serving."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.loopback import answers, free_port, wait_until_answers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


def test_sigterm_to_the_command_stops_streamlit(tmp_path: Path) -> None:
    port = free_port()
    health = f"http://127.0.0.1:{port}/_stcore/health"
    command = [sys.executable, "-m", "workbench.cli", "dashboard", "--data-dir", str(tmp_path),
               "--port", str(port), "--headless"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=dict(os.environ))
    try:
        wait_until_answers(health, proc, timeout=60)
        proc.send_signal(signal.SIGTERM)  # to the command alone, not its process group
        assert proc.wait(timeout=20) in (0, 2)
        deadline = time.monotonic() + 10
        while answers(health) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not answers(health), "Streamlit still serves after the command stopped"
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group: Streamlit too, if it stayed
            os.killpg(proc.pid, signal.SIGKILL)
