"""``kill -9`` of a CSMS node under load: every CALL whose answer a charger received is in the lake
exactly once after a restart on the same data folder, with its answer, and nothing twice.

The node runs as a real ``cpo csms`` subprocess with a long flush interval, so at the kill the
frames exist only in the writer's journal; the restart replays it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import psutil
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from ingest.lake.reader import read_table

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"CSMS node \S+ listening on 127\.0\.0\.1:(\d+)")
CLIENTS = [("CRASH-0", "1.6"), ("CRASH-1", "2.0.1"), ("CRASH-2", "1.6"), ("CRASH-3", "2.0.1")]
WINDOW = 8  # CALLs in flight per client (OCPP-J allows one; the CSMS answers in order anyway)
MAX_CALLS = 20_000  # per client: far more than are sent before the kill
KILL_AFTER_ACKS = 600
KILL_AFTER_SECONDS = 1.5

pytestmark = pytest.mark.timeout(40)


class Node:
    """One ``cpo csms`` process; its log goes to a file so no pipe can fill up."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.log = log
        self._log_file = log.open("wb")
        cmd = [sys.executable, "-m", "workbench.cli", "csms", "--accept-unknown",
               "--rate-limit", "0", "--port", "0", "--data-dir", str(data_dir),
               "--flush-interval", "5", "--node-id", "crashnode"]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self._log_file,
                                     stderr=subprocess.STDOUT)
        self.port = 0

    async def listening(self, within: float = 20.0) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            match = LISTENING.search(self.log.read_text(errors="replace"))
            if match:
                self.port = int(match.group(1))
                return self.port
            assert self.proc.poll() is None, f"csms exited:\n{self.log.read_text()}"
            await asyncio.sleep(0.05)
        raise AssertionError(f"csms not listening after {within} s:\n{self.log.read_text()}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    async def wait(self, within: float = 15.0) -> int:
        code = await asyncio.to_thread(self.proc.wait, within)
        self._log_file.close()
        return code

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log_file.close()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def next_call(n: int, version: str) -> tuple[str, dict[str, Any]]:
    kind = n % 3
    if version == "1.6":
        if kind == 0:
            return "Heartbeat", {}
        if kind == 1:
            return "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                          "status": "Available"}
        return "MeterValues", {"connectorId": 1, "meterValue": [{
            "timestamp": now_iso(),
            "sampledValue": [{"value": str(n), "measurand": "Energy.Active.Import.Register",
                              "unit": "Wh"}]}]}
    if kind == 0:
        return "Heartbeat", {}
    if kind == 1:
        return "StatusNotification", {"timestamp": now_iso(), "connectorStatus": "Available",
                                      "evseId": 1, "connectorId": 1}
    return "MeterValues", {"evseId": 1, "meterValue": [{
        "timestamp": now_iso(), "sampledValue": [{"value": float(n)}]}]}


BOOT = {
    "1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
}


@dataclass
class Load:
    sent: dict[str, str] = field(default_factory=dict)  # unique id -> action
    acked: dict[str, str] = field(default_factory=dict)  # answered with a CALLRESULT
    cut_off: int = 0  # clients whose link died under them (rather than running out of calls)


async def charger(port: int, cp_id: str, version: str, load: Load) -> None:
    subprotocol = "ocpp1.6" if version == "1.6" else "ocpp2.0.1"
    ws = await connect(f"ws://127.0.0.1:{port}/ocpp/{cp_id}", subprotocols=[subprotocol],
                       open_timeout=5, close_timeout=1)  # type: ignore[list-item]
    n = 0

    async def send_next() -> None:
        nonlocal n
        uid = uuid.uuid4().hex
        action, payload = ("BootNotification", BOOT[version]) if n == 0 else next_call(n, version)
        load.sent[uid] = action
        n += 1
        await ws.send(orjson.dumps([2, uid, action, payload]).decode())

    try:
        for _ in range(WINDOW):
            await send_next()
        for _ in range(MAX_CALLS):
            reply = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
            assert reply[0] == 3, reply  # no rate limit, valid payloads: always a CALLRESULT
            load.acked[reply[1]] = load.sent[reply[1]]
            if n < MAX_CALLS:
                await send_next()
            elif len(load.acked) >= n:
                return
    except ConnectionClosed:
        load.cut_off += 1
    finally:
        ws.transport.abort()


@pytest.mark.slow
async def test_kill_9_under_load_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lake = data / "lake"
    first = Node(data, tmp_path / "first.log")
    second: Node | None = None
    load = Load()
    try:
        port = await first.listening()
        loop = asyncio.get_running_loop()
        tasks = [asyncio.create_task(charger(port, cp, v, load)) for cp, v in CLIENTS]

        def check_clients() -> None:
            failed = [t for t in tasks if t.done()]
            assert not failed, [t.exception() for t in failed]

        def booted() -> int:
            return sum(action == "BootNotification" for action in list(load.acked.values()))

        for _ in range(1000):  # every charger booted before the clock starts
            check_clients()
            if booted() == len(CLIENTS):
                break
            await asyncio.sleep(0.01)
        assert booted() == len(CLIENTS)
        started = loop.time()
        while len(load.acked) < KILL_AFTER_ACKS and loop.time() - started < KILL_AFTER_SECONDS:
            check_clients()
            await asyncio.sleep(0.01)
        for converter in psutil.Process(first.proc.pid).children():  # its lake converter
            converter.kill()  # too: else it converts the journal as soon as the node dies
        os.kill(first.proc.pid, signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
        # Answers already in the clients' socket buffers are still read after the kill: they
        # count as acknowledged too (the node journals a frame before it sends the answer).
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        assert load.cut_off == len(CLIENTS), "the kill did not happen mid-load"
        assert len(load.acked) >= 100, len(load.acked)
        # the frames exist only in the journal: no Parquet file was written before the kill
        assert not list((lake / "ocpp_messages").glob("*/*.parquet"))
        assert list((lake / "_journal").rglob("*"))

        second = Node(data, tmp_path / "second.log")
        await second.listening()
        second.signal(signal.SIGTERM)
        assert await second.wait() == 0, second.log.read_text()
        replayed = re.findall(r"replaying (\d+) journaled rows", second.log.read_text())
        assert replayed, second.log.read_text()
        assert sum(map(int, replayed)) >= 2 * len(load.acked), replayed
    finally:
        first.cleanup()
        if second is not None:
            second.cleanup()

    df = read_table(lake, "ocpp_messages")
    ours = df.filter(pl.col("unique_id").is_in(list(load.acked)))
    ins = ours.filter(pl.col("direction") == "in")
    outs = ours.filter(pl.col("direction") == "out")
    # every acknowledged CALL exactly once as "in" (a CALL) and its answer once as "out"
    assert ins.height == len(load.acked)
    assert set(ins["unique_id"].to_list()) == set(load.acked)
    assert set(ins["message_type"].to_list()) == {2}
    assert outs.height == len(load.acked)
    assert set(outs["unique_id"].to_list()) == set(load.acked)
    assert set(outs["message_type"].to_list()) == {3}
    assert outs.filter(pl.col("error_code").is_not_null()).height == 0
    for row in ins.select("unique_id", "action").iter_rows():
        assert load.acked[row[0]] == row[1]
    # no duplicates at all, acknowledged or not
    assert not df.is_duplicated().any()
    keys = df.group_by("connection_id", "direction", "unique_id", "message_type").len()
    assert keys["len"].max() == 1, keys.filter(pl.col("len") > 1)
    assert set(df["unique_id"].to_list()) <= set(load.sent)
    assert set(df["charge_point_id"].to_list()) == {cp for cp, _ in CLIENTS}

    meters = read_table(lake, "meter_values")
    acked_meters = {u for u, a in load.acked.items() if a == "MeterValues"}
    logged = meters.filter(pl.col("unique_id").is_in(list(acked_meters)))
    assert logged.height == len(acked_meters)
    assert not meters.is_duplicated().any()

    events = read_table(lake, "connection_events")
    connects = events.filter(pl.col("event") == "connect")
    assert sorted(connects["charge_point_id"].to_list()) == sorted(cp for cp, _ in CLIENTS)
    assert not events.is_duplicated().any()
    assert not list((lake / "_journal").rglob("*.jsonl")), "journal not emptied by the restart"
