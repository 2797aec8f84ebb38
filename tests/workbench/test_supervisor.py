"""The supervisor on real processes: a child that dies is restarted with back-off and the
others keep running; SIGTERM stops every child and their own children; health lines name each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from workbench.supervise.backoff import Backoff
from workbench.supervise.child import ChildSpec
from workbench.supervise.supervisor import Supervisor

pytestmark = pytest.mark.timeout(60)
PY = sys.executable


def _spec(tmp_path: Path, name: str, code: str) -> ChildSpec:
    return ChildSpec(name, [PY, "-c", textwrap.dedent(code)], dict(os.environ),
                     tmp_path / "logs" / f"{name}.log")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not reaped by its parent) is gone for our purpose
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[1][0] != "Z"


def _wait_for(predicate: object, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_backoff_doubles_then_resets_after_a_stable_run() -> None:
    b = Backoff(first_s=1.0, max_s=8.0, stable_s=60.0)
    assert [b.after_exit(0.5) for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert b.after_exit(120.0) == 1.0  # it ran for two minutes: not a crash loop


def test_a_dead_child_is_restarted_with_back_off_the_others_keep_running(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    crasher = _spec(tmp_path, "crasher", f"""
        from pathlib import Path
        p = Path({str(runs)!r}); p.write_text(p.read_text() + "x" if p.exists() else "x")
        raise SystemExit(3)
    """)
    steady = _spec(tmp_path, "steady", "import time; time.sleep(60)")
    lines: list[str] = []
    sup = Supervisor([crasher, steady], lines.append, health_interval_s=0.5)
    for child in sup.children:
        child.backoff = Backoff(first_s=0.2, max_s=0.4)
    steady_pid: list[int | None] = []

    def done() -> bool:
        steady_pid.append(sup.children[1].pid)
        return runs.exists() and len(runs.read_text()) >= 3

    sup.run(until=done)
    assert len(set(steady_pid)) == 1  # never restarted
    exits = [line for line in lines if line.startswith("crasher exited with code 3")]
    assert len(exits) >= 2
    assert "restarting in 0.2 s" in exits[0]
    assert "restarting in 0.4 s" in exits[1]
    assert any(line.startswith("crasher restarted") for line in lines)
    health = [line for line in lines if line.startswith("health ")]
    assert health
    assert "steady up" in health[0]
    assert lines[-1].startswith("crasher stopped")
    assert lines[-2].startswith("steady stopped")


def test_sigterm_stops_every_child_and_grandchild(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    # Each child starts a grandchild (as streamlit or dagster do) and records both pids.
    child_code = f"""
        import os, subprocess, sys, time
        g = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        # written then renamed, so the test never reads a half-written file
        tmp = os.path.join({str(pids)!r}, f".{{os.getpid()}}")
        with open(tmp, "w") as f:
            f.write(str(g.pid))
        os.rename(tmp, os.path.join({str(pids)!r}, str(os.getpid())))
        time.sleep(60)
    """
    script = tmp_path / "sup.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, textwrap
        from pathlib import Path
        from workbench.supervise.child import ChildSpec
        from workbench.supervise.supervisor import Supervisor
        code = textwrap.dedent({child_code!r})
        specs = [ChildSpec(n, [sys.executable, "-c", code], dict(os.environ),
                           Path({str(tmp_path)!r}) / f"{{n}}.log") for n in ("a", "b")]
        Supervisor(specs, lambda line: print(line, flush=True), health_interval_s=60).run()
    """))
    sup = subprocess.Popen([PY, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: len(list(pids.glob("[0-9]*"))) == 2), "children did not start"
        written = list(pids.glob("[0-9]*"))
        family = [int(p.name) for p in written] + [int(p.read_text()) for p in written]
        assert all(_alive(pid) for pid in family)
        sup.send_signal(signal.SIGTERM)
        out, _ = sup.communicate(timeout=30)
    finally:
        if sup.poll() is None:
            sup.kill()
    assert sup.returncode == 0
    assert _wait_for(lambda: not any(_alive(pid) for pid in family), 10)
    assert "b stopped" in out
    assert "a stopped" in out
    assert out.index("b stopped") < out.index("a stopped")  # reverse order: the first, last
