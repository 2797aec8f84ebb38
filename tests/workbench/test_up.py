"""``cpo up`` end to end on loopback: a charger reports a curable fault, the self-healing child
resets it through the CSMS API and verifies the cure (the lake holds the Reset and its Outcome);
a killed child is restarted with back-off while the rest keep serving; SIGTERM stops every
child and flushes the lake."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from csms_lite.registry import ChargePoint, Registry
from ingest.data_folder import DataFolder
from ingest.lake.reader import duckdb_scan_sql
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.link import listen, open_link
from tests.csms_lite.helpers.ocppj import wait_for
from tests.curable_charger import CurableCharger
from tests.loopback import answers, free_port, wait_until_answers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


class Output:
    """``cpo up``'s lines, read on a thread as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            time.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))


def _commands(data: Path) -> list[tuple[str, str, str]]:
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT action, requested_by, status FROM {duckdb_scan_sql(data / 'lake', 'commands')}"
            " ORDER BY requested_at").fetchall()
    except duckdb.IOException:  # no part file yet
        return []


async def _fault_cured_and_verified(url: str, data: Path) -> CurableCharger:
    """A charger reports a curable fault and stays connected until the loop has verified the
    cure it brought (the check looks at the charger's live state)."""
    ws = await open_link(url, "CP-UP", "ocpp1.6")
    cp = SimChargePoint16("CP-UP", ws)
    charger = CurableCharger(cp, curable=True)
    cp.answers = charger
    task = asyncio.get_running_loop().create_task(listen(cp))
    await cp.boot()
    await cp.status(1, "Available")
    await cp.status(2, "Faulted", "InternalError")  # a code a reset usually cures
    await wait_for(lambda: bool(charger.resets), within=60)

    async def verified() -> bool:
        rows = await asyncio.to_thread(_commands, data)
        return ("Outcome", "self_healing", "cured") in rows

    deadline = time.monotonic() + 60
    while not await verified():
        assert time.monotonic() < deadline, f"no cured outcome: {_commands(data)}"
        await asyncio.sleep(1.0)
    await ws.close()
    await task
    return charger


def test_cpo_up_heals_restarts_a_dead_child_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "up"
    data.mkdir()
    with Registry(DataFolder(data).registry_file) as registry:
        registry.add_charge_point(ChargePoint(id="CP-UP", site="S1", connectors=2,
                                              rated_kw=22.0, heartbeat_interval=300))
    port, api, board = free_port(), free_port(), free_port()
    command = [sys.executable, "-m", "workbench.cli", "up", "--data-dir", str(data), "--port",
               str(port), "--api-port", str(api), "--dashboard-port", str(board),
               "--dagster-ui-port", "0", "--heal-interval", "5", "--fault-grace", "0",
               "--verify-after", "5", "--health-interval", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=dict(os.environ))
    out = Output(proc)
    try:
        wait_until_answers(f"http://127.0.0.1:{api}/healthz", timeout=60)
        healer_pid = int(out.wait_for(r"self-healing started \(pid (\d+)\)").group(1))

        charger = asyncio.run(_fault_cured_and_verified(f"ws://127.0.0.1:{port}/ocpp", data))
        assert charger.resets == [False]  # a soft reset, sent by the self-healing child
        assert ("Reset", "self_healing", "Accepted") in _commands(data)

        os.kill(healer_pid, signal.SIGKILL)
        out.wait_for(r"self-healing exited with code -9 .*restarting in 1 s")
        out.wait_for(r"self-healing restarted \(pid \d+, restart 1\)")
        assert answers(f"http://127.0.0.1:{api}/healthz")  # the others kept serving
        wait_until_answers(f"http://127.0.0.1:{board}/_stcore/health", timeout=90)
        out.wait_for(r"health .*csms up .*dashboard up")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    stopped = [line for line in out.lines if line.endswith(")") and " stopped (exit" in line]
    assert [line.split()[0] for line in stopped] == ["dashboard", "self-healing",
                                                     "dagster-daemon", "csms"]
    assert not answers(f"http://127.0.0.1:{api}/healthz")
    assert not answers(f"http://127.0.0.1:{board}/_stcore/health")
    state = data / "self_healing" / "state.json"
    assert state.exists()  # the restarted loop resumed from it
