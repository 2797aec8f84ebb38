"""Loopback helpers for tests that start real servers: a free port, waiting for an HTTP answer."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answers(url: str, proc: subprocess.Popen[bytes] | None = None,
                       timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers 2xx; fail if ``proc`` dies first or time runs out."""
    deadline = time.monotonic() + timeout
    while not answers(url):
        assert proc is None or proc.poll() is None, f"the server exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"{url} did not answer in {timeout:g} s"
        time.sleep(0.2)
