"""``cpo csms --broker``: a bad or unreachable broker is one clear line and exit status 2, before
anything is started (no Redis needed for these)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cluster.procs import REPO, free_port
from workbench.cli import app

runner = CliRunner()


def csms(tmp_path: Path, broker: str) -> tuple[int, str]:
    result = runner.invoke(app, ["csms", "--data-dir", str(tmp_path / "data"), "--port", "0",
                                 "--node-id", "n1", "--broker", broker])
    return result.exit_code, result.output


def test_unreachable_broker_names_the_url_and_the_fix(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    code, out = csms(tmp_path, url)
    assert code == 2, out
    assert f"cannot reach the broker at {url}" in out
    assert "redis-server" in out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1, out
    assert not (tmp_path / "data" / "lake").exists()  # nothing was started


@pytest.mark.parametrize("broker", ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis-ish://x"])
def test_a_url_that_is_not_redis_says_what_to_give(tmp_path: Path, broker: str) -> None:
    code, out = csms(tmp_path, broker)
    assert code == 2, out
    assert "unsupported --broker URL" in out
    assert "redis://HOST:PORT/DB" in out
    assert "Traceback" not in out


def test_a_malformed_redis_url_says_so(tmp_path: Path) -> None:
    code, out = csms(tmp_path, "redis://127.0.0.1:notaport/0")
    assert code == 2, out
    assert "--broker URL" in out
    assert "Traceback" not in out


def test_the_broker_password_is_never_shown(tmp_path: Path) -> None:
    code, out = csms(tmp_path, f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0")
    assert code == 2, out
    assert "s3cret-pw" not in out
    assert "redis://:***@127.0.0.1" in out


def test_a_node_alone_never_imports_redis(tmp_path: Path) -> None:
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from csms_lite.config import CsmsConfig\n"
        "from csms_lite.server.app import CsmsServer\n"
        "async def main():\n"
        f"    s = CsmsServer(CsmsConfig(data_dir=Path({str(tmp_path)!r}), port=0))\n"
        "    await s.start()\n"
        "    await s.stop()\n"
        "asyncio.run(main())\n"
        "print('redis' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "False"
