"""Two nodes in one process sharing a real redis-server: commands reach a charger on the other
node, 1.6 transaction ids are unique across nodes, open transactions follow a charger that moves,
and a node whose broker goes away keeps serving its own chargers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import orjson
import polars as pl
import pytest
import redis.asyncio as aioredis

from csms_lite.cluster import scripts
from csms_lite.errors import BrokerError
from tests.cluster.conftest import NodeFactory
from tests.cluster.procs import RedisServer
from tests.conftest import Csms
from tests.csms_lite.helpers.ocppj import (
    boot,
    call,
    heartbeat_ok,
    open_ws,
    recv_json,
    table,
    wait_for,
)

pytestmark = pytest.mark.timeout(30)


def start_16(connector: int = 1, tag: str = "TAG-1", meter: int = 1000) -> dict[str, Any]:
    return {"connectorId": connector, "idTag": tag, "meterStart": meter,
            "timestamp": "2026-01-01T10:00:00Z"}


def tx_event(kind: str, seq: int, tx_id: str, state: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"transactionId": tx_id}
    if state:
        info["chargingState"] = state
    return {"eventType": kind, "timestamp": "2026-01-01T10:00:00Z", "triggerReason": "Authorized",
            "seqNo": seq, "transactionInfo": info, "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "TAG-1", "type": "ISO14443"}}


async def api(node: Csms, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession(headers=node.api_headers) as http, http.request(
        method, f"{node.api_url}{path}", json=body
    ) as resp:
        return resp.status, await resp.json()


async def two_nodes(make_node: NodeFactory) -> tuple[Csms, Csms]:
    n1, n2 = await make_node("n1"), await make_node("n2")
    for cp in ("CP-A", "CP-B", "CS-C"):
        n1.add_charger(cp)  # one registry file for both
    n1.add_tag("TAG-1")
    return n1, n2


async def test_a_command_to_any_node_reaches_the_charger_on_the_other(
    make_node: NodeFactory,
) -> None:
    n1, n2 = await two_nodes(make_node)
    ws = await open_ws(n1, "CS-C", "2.0.1")
    await boot(ws, "2.0.1")
    # the version of a charger on another node is known there: a 2.0.1 Reset is built
    asked = asyncio.create_task(api(n2, "POST", "/api/v1/chargers/CS-C/commands",
                                    {"command": "reset", "params": {"type": "hard"},
                                     "reason": "through n2"}))
    frame = await recv_json(ws)
    assert frame[:3] == [2, frame[1], "Reset"], frame
    assert frame[3] == {"type": "Immediate"}
    await ws.send(orjson.dumps([3, frame[1], {"status": "Accepted"}]).decode())
    status, body = await asked
    assert status == 200, body
    assert body["status"] == "Accepted"
    assert body["command_id"] == frame[1]
    await ws.close()

    # offline everywhere: answered by the node that was asked
    status, body = await api(n2, "POST", "/api/v1/chargers/CP-A/commands", {"command": "reset"})
    assert (status, body["outcome"]) == (409, "offline"), body

    await asyncio.to_thread(n1.server.writer.flush)
    commands = await table(n2, "commands")
    reset = commands.filter(pl.col("command_id") == frame[1])
    assert reset.height == 1  # once, by the node that was asked
    row = reset.row(0, named=True)
    assert (row["node_id"], row["outcome"], row["status"], row["reason"]) == (
        "n2", "answered", "Accepted", "through n2")
    assert row["sent_at"] is not None
    assert row["answered_at"] is not None
    assert commands.filter(pl.col("charge_point_id") == "CP-A")["node_id"].to_list() == ["n2"]
    messages = await table(n1, "ocpp_messages")
    sent = messages.filter(pl.col("unique_id") == frame[1])
    assert sorted(zip(sent["node_id"], sent["direction"], strict=True)) == [
        ("n1", "in"), ("n1", "out")]


async def test_charger_detail_on_the_other_node_says_where(make_node: NodeFactory) -> None:
    n1, n2 = await two_nodes(make_node)
    ws = await open_ws(n1, "CP-A")
    await boot(ws, "1.6")
    status, body = await api(n2, "GET", "/api/v1/chargers/CP-A")
    assert status == 404
    assert "node n1" in body["error"]
    status, health = await api(n2, "GET", "/api/v1/health")
    assert health["broker"]["kind"] == "redis"
    assert health["broker"]["up"] is True
    await ws.close()


async def test_transaction_ids_are_unique_across_nodes(make_node: NodeFactory) -> None:
    n1, n2 = await two_nodes(make_node)
    ws_a, ws_b = await open_ws(n1, "CP-A"), await open_ws(n2, "CP-B")
    await boot(ws_a, "1.6")
    await boot(ws_b, "1.6")
    n1.server.registry.start_transaction("OLD", 1, "T", 0, "2025-01-01T00:00:00Z", 0.0)

    async def starts(ws: Any, cp_meter: int) -> list[int]:
        ids = []
        for i in range(20):
            reply = await call(ws, "StartTransaction", start_16(1, "TAG-1", cp_meter + i))
            assert (reply[0], reply[2]["idTagInfo"]["status"]) == (3, "Accepted"), reply
            ids.append(reply[2]["transactionId"])
        return ids

    a, b = await asyncio.gather(starts(ws_a, 0), starts(ws_b, 10_000))
    assert len(set(a) | set(b)) == 40
    assert min(a + b) > 1  # above what the registry had handed out before
    # the same start retried by the charger through the other node (a failover between the
    # CALL and its answer) gets the same id
    await ws_a.close()
    ws_a = await open_ws(n2, "CP-A")
    again = await call(ws_a, "StartTransaction", start_16(1, "TAG-1", 0))
    assert again[2]["transactionId"] == a[0]
    # and the registry keeps every id, so a node alone later never reuses one
    assert n1.server.registry.max_transaction_id() >= max(a + b)
    await ws_a.close()
    await ws_b.close()


async def test_open_transactions_follow_a_charger_to_another_node(
    make_node: NodeFactory, redis_server: RedisServer,
) -> None:
    n1, n2 = await two_nodes(make_node)
    ws16, ws201 = await open_ws(n1, "CP-A"), await open_ws(n1, "CS-C", "2.0.1")
    await boot(ws16, "1.6")
    await boot(ws201, "2.0.1")
    tx16 = (await call(ws16, "StartTransaction", start_16()))[2]["transactionId"]
    await call(ws16, "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                            "status": "Charging"})
    await call(ws201, "TransactionEvent", tx_event("Started", 0, "TX-201", "Charging"))
    await call(ws201, "TransactionEvent", tx_event("Updated", 1, "TX-201"))
    await ws16.close()
    await ws201.close()

    ws16, ws201 = await open_ws(n2, "CP-A"), await open_ws(n2, "CS-C", "2.0.1")
    await heartbeat_ok(ws16)
    await heartbeat_ok(ws201)
    _status, txs = await api(n2, "GET", "/api/v1/transactions")
    got = {(t["charge_point_id"], t["transaction_id"], t["charging_state"]) for t in txs}
    assert got == {("CP-A", str(tx16), "Charging"), ("CS-C", "TX-201", "Charging")}
    state = n2.server.hub.chargers["CS-C"].transactions["TX-201"]
    assert state.last_seq_no == 1
    await call(ws201, "TransactionEvent", tx_event("Updated", 2, "TX-201"))
    assert state.seq_gaps == 0  # the sequence went on where n1 left it
    reply = await call(ws16, "StopTransaction", {"transactionId": tx16, "meterStop": 2000,
                                                 "timestamp": "2026-01-01T11:00:00Z"})
    assert reply[0] == 3, reply
    await call(ws201, "TransactionEvent", tx_event("Ended", 3, "TX-201"))
    assert (await api(n2, "GET", "/api/v1/transactions"))[1] == []

    r = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        async def gone() -> bool:
            keys = [scripts.transactions_key(cp) for cp in ("CP-A", "CS-C")]
            return await r.exists(*keys) == 0

        await wait_for(gone, 3)
        presence = await r.get(scripts.presence_key("CP-A"))
        assert presence is not None
        assert presence.startswith("n2|")
        await ws16.close()

        async def released() -> bool:
            return await r.get(scripts.presence_key("CP-A")) is None

        await wait_for(released, 3)
    finally:
        await r.aclose()
    await ws201.close()


@pytest.mark.slow
async def test_a_node_keeps_serving_its_chargers_while_the_broker_is_away(
    make_node: NodeFactory, redis_server: RedisServer, caplog: pytest.LogCaptureFixture,
) -> None:
    n1, n2 = await two_nodes(make_node)
    ws = await open_ws(n1, "CP-A")
    await boot(ws, "1.6")
    first = (await call(ws, "StartTransaction", start_16()))[2]["transactionId"]
    caplog.set_level(logging.WARNING)
    redis_server.stop()

    await heartbeat_ok(ws)
    reply = await call(ws, "StartTransaction", start_16(2, "TAG-1", 5))  # from the reserve
    assert reply[0] == 3, reply
    second = reply[2]["transactionId"]
    assert second != first
    reply = await call(ws, "MeterValues", {"connectorId": 2, "transactionId": second,
                                           "meterValue": [{"timestamp": "2026-01-01T10:01:00Z",
                                                           "sampledValue": [{"value": "7"}]}]})
    assert reply[0] == 3, reply
    # a command to its own charger still goes through its API
    asked = asyncio.create_task(api(n1, "POST", "/api/v1/chargers/CP-A/commands",
                                    {"command": "trigger_message",
                                     "params": {"message": "Heartbeat"}}))
    frame = await recv_json(ws)
    await ws.send(orjson.dumps([3, frame[1], {"status": "Accepted"}]).decode())
    assert (await asked)[0] == 200
    # one for a charger it does not hold: offline, at once
    status, body = await api(n2, "POST", "/api/v1/chargers/CP-A/commands", {"command": "reset"})
    assert status == 409, body
    assert (await api(n1, "GET", "/api/v1/health"))[1]["broker"]["up"] is False
    assert any("unreachable" in r.getMessage() and "serving its own chargers" in r.getMessage()
               for r in caplog.records)

    redis_server.start()  # same port, empty: the node writes back what it holds
    r = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        async def rejoined() -> bool:  # its claim and its open transactions are back
            claim = await r.get(scripts.presence_key("CP-A")) or ""
            shared = await r.hgetall(scripts.transactions_key("CP-A"))
            return claim.startswith("n1|") and set(shared) == {str(first), str(second)}

        await wait_for(rejoined, 10)
        # ids handed out after the loss stay above every id this node knows of
        third = (await call(ws, "StartTransaction", start_16(1, "TAG-1", 99)))[2]["transactionId"]
        assert third > max(first, second)
    finally:
        await r.aclose()
    await ws.close()


async def test_a_second_node_with_the_same_id_is_refused(make_node: NodeFactory) -> None:
    await make_node("twin")
    with pytest.raises(BrokerError, match="already in the cluster"):
        await make_node("twin")


async def test_a_transaction_stopped_just_before_a_disconnect_stays_stopped(
    make_node: NodeFactory,
) -> None:
    n1, n2 = await two_nodes(make_node)
    ws = await open_ws(n1, "CP-A")
    await boot(ws, "1.6")
    tx = (await call(ws, "StartTransaction", start_16()))[2]["transactionId"]
    await call(ws, "StopTransaction", {"transactionId": tx, "meterStop": 1500,
                                       "timestamp": "2026-01-01T10:30:00Z"})
    await ws.close()  # at once: the write of the stop may still be queued when it detaches
    ws = await open_ws(n2, "CP-A")
    await heartbeat_ok(ws)
    assert (await api(n2, "GET", "/api/v1/transactions"))[1] == []
    await ws.close()
