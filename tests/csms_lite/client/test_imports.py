"""At run time too: importing the client loads no server module (test_layering checks the
source; this catches what ``csms_lite/__init__.py`` might pull in)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_client_loads_only_it_and_the_errors() -> None:
    code = ("import sys, csms_lite.client; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('csms_lite'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert [m for m in out if not m.startswith("csms_lite.client")] == [
        "csms_lite", "csms_lite.errors"]
