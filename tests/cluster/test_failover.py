"""End to end on loopback, every piece a real process: redis-server, two ``cpo csms`` nodes and
HAProxy running the shipped ``deploy/haproxy/haproxy.cfg``. Chargers (1.6 and 2.0.1, Basic auth)
connect through HAProxy and open transactions; a command sent to the node that does not hold a
charger reaches it; the node holding chargers is killed with SIGKILL under load; its chargers
reconnect through HAProxy to the other node and their transactions go on to their end; then the
lake holds every frame a charger had acknowledged exactly once, written by both nodes."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import polars as pl
import psutil
import pytest

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.lake.reader import read_table
from tests.cluster.charger import Charger
from tests.cluster.procs import Haproxy, Node, RedisServer, need
from tests.conftest import _HASH, PASSWORD

pytestmark = pytest.mark.timeout(60)
TOKEN = "failover-token"
CHARGERS = [(f"CP-{i}", "1.6" if i % 2 == 0 else "2.0.1") for i in range(6)]
LOAD_S = 1.5  # of meter readings before the kill, and again after the failover


async def api(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http, \
            http.request(method, f"{base}{path}", json=body,
                         timeout=aiohttp.ClientTimeout(total=15)) as resp:
        return resp.status, await resp.json()


async def held_by(node: Node) -> set[str]:
    status, chargers = await api(node.api_url, "GET", "/api/v1/chargers")
    assert status == 200, chargers
    return {c["charge_point_id"] for c in chargers if c["connected"]}


def registry(data: Path) -> None:
    with Registry(DataFolder(data).registry_file) as reg:
        for cp_id, _ in CHARGERS:
            reg.add_charge_point(ChargePoint(
                id=cp_id, site="S1", connectors=1, rated_kw=22.0, model="M", vendor="V",
                boot_status="Accepted", heartbeat_interval=300, password_hash=_HASH,
                latitude=None, longitude=None, address=None))
        reg.add_id_tag(IdTag("TAG-1", "Accepted", "emsp-a", None, None))


@pytest.mark.slow
async def test_kill_a_node_under_load_chargers_move_and_the_lake_is_whole(
    tmp_path: Path,
) -> None:
    redis_exe = need("redis-server", "redis-server")
    haproxy_exe = need("haproxy", "haproxy")
    data = tmp_path / "data"
    registry(data)
    redis = RedisServer(redis_exe, tmp_path / "redis")
    redis.start()
    nodes = [Node(n, data, redis.url, TOKEN, tmp_path, "--flush-interval", "0.5",
                  "--trusted-proxy", "127.0.0.1")
             for n in ("node1", "node2")]
    lb: Haproxy | None = None
    converters: list[psutil.Process] = []
    try:
        await asyncio.gather(*(asyncio.to_thread(n.wait_ready) for n in nodes))
        lb = Haproxy(haproxy_exe, nodes, tmp_path)
        chargers = [Charger(lb.url, cp, v, PASSWORD) for cp, v in CHARGERS]
        for c in chargers:  # one after the other: leastconn alternates between the nodes
            await c.connect()
        await asyncio.gather(*(c.boot_and_start() for c in chargers))
        on = {n.node_id: await held_by(n) for n in nodes}
        assert all(on.values()), on  # both nodes hold chargers
        assert on["node1"] | on["node2"] == {cp for cp, _ in CHARGERS}
        tx16 = [c.tx_id for c in chargers if c.version == "1.6"]
        assert len(set(tx16)) == len(tx16), tx16  # unique though two nodes allocated them

        stop = asyncio.Event()
        loads = [asyncio.create_task(c.load(stop)) for c in chargers]
        await asyncio.sleep(LOAD_S / 2)
        # a command to the node that does NOT hold the charger reaches it
        victim, survivor = nodes
        target = sorted(on["node1"])[0]
        status, answer = await api(survivor.api_url, "POST", f"/api/v1/chargers/{target}/commands",
                                   {"command": "trigger_message", "reason": "failover test",
                                    "params": {"message": "Heartbeat"}})
        assert status == 200, answer
        assert answer["status"] == "Accepted"
        by_cp = {c.cp_id: c for c in chargers}
        assert by_cp[target].commands.get(answer["command_id"]) == "TriggerMessage"
        commands = {answer["command_id"]: "node2"}
        # and through the balancer's API frontend, whichever node answers
        other = sorted(on["node2"])[0]
        status, answer = await api(lb.api_url, "POST", f"/api/v1/chargers/{other}/commands",
                                   {"command": "reset"})
        assert status == 200, answer
        assert by_cp[other].commands.get(answer["command_id"]) == "Reset"
        commands[answer["command_id"]] = "?"
        await asyncio.sleep(LOAD_S / 2)

        acked_before = {c.cp_id: len(c.acked) for c in chargers}
        converters = victim.kill_9()  # under load
        moved = [by_cp[cp] for cp in on["node1"]]

        async def moved_and_going() -> None:
            while not all(c.connects >= 2 and len(c.acked) > acked_before[c.cp_id] + 20
                          for c in moved):
                for task in loads:
                    if task.done():
                        task.result()  # a client that failed: show why
                await asyncio.sleep(0.05)

        await asyncio.wait_for(moved_and_going(), 15)
        assert await held_by(survivor) == {cp for cp, _ in CHARGERS}
        # their transactions went on where the dead node left them
        status, open_txs = await api(survivor.api_url, "GET", "/api/v1/transactions")
        assert {(t["charge_point_id"], t["transaction_id"]) for t in open_txs} == {
            (c.cp_id, c.tx_id) for c in chargers}
        started_on_victim = [t for t in open_txs if t["charge_point_id"] in on["node1"]]
        assert all(t["id_tag"] == "TAG-1" for t in started_on_victim), started_on_victim
        status, answer = await api(survivor.api_url, "POST", f"/api/v1/chargers/{target}/commands",
                                   {"command": "trigger_message",
                                    "params": {"message": "StatusNotification"}})
        assert status == 200, answer
        commands[answer["command_id"]] = "node2"
        await asyncio.sleep(LOAD_S)

        stop.set()
        await asyncio.wait_for(asyncio.gather(*loads), 10)
        await asyncio.gather(*(c.stop_transaction() for c in chargers))
        assert (await api(survivor.api_url, "GET", "/api/v1/transactions"))[1] == []
        for c in chargers:
            await c.close()
        assert survivor.proc.stop(signal.SIGTERM) == 0, survivor.proc.text()
        _gone, alive = await asyncio.to_thread(psutil.wait_procs, converters, 20)
        assert not alive, "the killed node's converter did not finish its journal"
    finally:
        for node in nodes:
            node.proc.stop(signal.SIGKILL)
        for proc in converters:
            if proc.is_running():
                proc.kill()
        if lb is not None:
            lb.proc.stop()
        redis.stop()

    lake = data / "lake"
    for node in ("node1", "node2"):  # each node wrote its own part files
        assert list((lake / "ocpp_messages").glob(f"*/part-{node}-*.parquet")), node
    journal = lake / "_journal"
    assert not list(journal.rglob("*.jsonl")), "journal left unconverted"
    assert not list(journal.rglob("seg-*.open")), "the killed node's open segment was never taken"
    df = read_table(lake, "ocpp_messages")
    acked = {uid: action for c in chargers for uid, action in c.acked.items()}
    sent = {uid for c in chargers for uid in c.sent}
    answered = {uid: action for c in chargers for uid, action in c.commands.items()}
    assert len(acked) > 500, len(acked)

    ours = df.filter(pl.col("unique_id").is_in(list(acked)))
    ins = ours.filter(pl.col("direction") == "in")
    outs = ours.filter(pl.col("direction") == "out")
    # every acknowledged CALL exactly once in, its answer exactly once out
    assert ins.height == len(acked)
    assert set(ins["unique_id"]) == set(acked)
    assert set(ins["message_type"]) == {2}
    assert outs.height == len(acked)
    assert set(outs["message_type"]) == {3}
    for uid, action in ins.select("unique_id", "action").iter_rows():
        assert acked[uid] == action
    # nothing twice, acknowledged or not; nothing we did not send
    keys = df.group_by("connection_id", "direction", "unique_id", "message_type").len()
    assert keys["len"].max() == 1, keys.filter(pl.col("len") > 1)
    assert set(df["unique_id"]) <= sent | set(answered)
    # the commands: the CALL out and the charger's answer in, once each
    cmds = df.filter(pl.col("unique_id").is_in(list(answered)))
    assert sorted(cmds["message_type"]) == sorted([2, 3] * len(answered))
    table = read_table(lake, "commands")
    for command_id, node in commands.items():
        rows = table.filter(pl.col("command_id") == command_id)
        assert rows.height == 1, (command_id, rows)  # written once, by the node asked
        assert rows["outcome"][0] == "answered"
        if node != "?":
            assert rows["node_id"][0] == node

    # HAProxy said whom it forwarded (X-Forwarded-For, no port) and the nodes believed it
    connects = read_table(lake, "connection_events").filter(pl.col("event") == "connect")
    assert set(connects["remote_address"]) == {"127.0.0.1"}, connects["remote_address"]

    # sessions whole: begun on the killed node, metered on both, ended on the survivor
    meters = read_table(lake, "meter_values")
    for c in moved:
        calls = df.filter((pl.col("charge_point_id") == c.cp_id)
                          & (pl.col("direction") == "in") & (pl.col("message_type") == 2))
        first = calls.sort("received_at").row(1, named=True)  # after the boot
        last = calls.sort("received_at").row(-1, named=True)
        assert first["node_id"] == "node1"
        assert last["node_id"] == "node2"
        assert last["action"] in ("StopTransaction", "TransactionEvent")
        tx = orjson.loads(last["payload"])
        assert str(tx.get("transactionId") or tx["transactionInfo"]["transactionId"]) == c.tx_id
        mine = meters.filter(pl.col("transaction_id") == c.tx_id)
        assert set(mine["node_id"]) == {"node1", "node2"}, c.cp_id
    assert not meters.is_duplicated().any()
