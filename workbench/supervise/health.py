"""Health probes: an HTTP GET that must answer 2xx within a short timeout."""

from __future__ import annotations

import urllib.error
import urllib.request

PROBE_TIMEOUT_S = 2.0


def http_ok(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False
