"""Malformed and hostile input on a live CSMS: the answer on the wire, the rows in the lake, and a
second charger on the same node that keeps getting correct answers throughout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.helpers.ocppj import (
    BOOT,
    VERSIONS,
    boot,
    call,
    disconnect_event,
    events,
    heartbeat_ok,
    messages,
    new_id,
    open_ws,
    recv_json,
    send_raw,
    wait_for,
)
from tests.csms_lite.helpers.rawws import OP_CLOSE, RawWs

pytestmark = pytest.mark.timeout(10)

BAD, GOOD = "CP-BAD", "CP-GOOD"


def v16(version: str) -> bool:
    return version == "1.6"


@dataclass
class Pair:
    csms: Csms
    version: str
    bad: ClientConnection  # receives the bad input
    good: ClientConnection  # a bystander on the same node

    async def bystander_ok(self) -> None:
        await heartbeat_ok(self.good)

    async def bad_messages(self) -> pl.DataFrame:
        return await messages(self.csms, BAD)


@asynccontextmanager
async def pair(csms: Csms, version: str) -> AsyncIterator[Pair]:
    # No passwords here: authentication is test_handshake.py's business, and scrypt is slow.
    csms.add_charger(BAD, password=False)
    csms.add_charger(GOOD, password=False)
    bad = await open_ws(csms, BAD, version, password=None)
    good = await open_ws(csms, GOOD, version, password=None)
    try:
        await boot(bad, version)
        await boot(good, version)
        yield Pair(csms, version, bad, good)
    finally:
        await bad.close()
        await good.close()


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def assert_callerror(reply: list[Any], uid: str, code: str) -> None:
    assert len(reply) == 5, reply
    assert reply[:3] == [4, uid, code], reply
    assert isinstance(reply[3], str), reply
    assert isinstance(reply[4], dict), reply


async def assert_unparsed_logged(p: Pair, raw: str, code: str, uid: str) -> None:
    """An "in" row with message_type null and the raw text, and the "out" CALLERROR row."""
    df = await p.bad_messages()
    ins = df.filter((pl.col("direction") == "in") & (pl.col("raw") == raw))
    assert ins.height == 1, ins
    row = ins.row(0, named=True)
    assert row["message_type"] is None
    assert row["error_code"] == code
    assert row["unique_id"] == (None if uid == "-1" else uid)
    assert row["ocpp_version"] == p.version
    outs = df.filter((pl.col("direction") == "out") & (pl.col("unique_id") == uid))
    assert outs.height == 1, outs
    out = outs.row(0, named=True)
    assert out["message_type"] == 4
    assert out["error_code"] == code
    assert out["connection_id"] == row["connection_id"]


async def assert_call_error_logged(p: Pair, uid: str, action: str, code: str) -> None:
    """A parsed CALL that was refused: its "in" row (type 2) and the "out" CALLERROR row."""
    df = (await p.bad_messages()).filter(pl.col("unique_id") == uid)
    assert df.height == 2, df
    ins = df.filter(pl.col("direction") == "in").row(0, named=True)
    out = df.filter(pl.col("direction") == "out").row(0, named=True)
    assert ins["message_type"] == 2
    assert ins["action"] == action
    assert ins["raw"] is None
    assert isinstance(orjson.loads(ins["payload"]), dict)
    assert out["message_type"] == 4
    assert out["action"] == action
    assert out["error_code"] == code
    assert out["latency_ms"] is not None
    assert out["latency_ms"] >= 0


# -- frames that do not parse ------------------------------------------------------------------


async def test_non_json_text(csms: Csms, version: str) -> None:
    async with pair(csms, version) as p:
        text = "this is {not json"
        reply = await send_raw(p.bad, text)
        code = "FormationViolation" if v16(version) else "RpcFrameworkError"
        assert_callerror(reply, "-1", code)
        await p.bystander_ok()
        await heartbeat_ok(p.bad)  # one bad frame does not cost the charger its link
        await assert_unparsed_logged(p, text, code, "-1")


# (frame, 2.0.1 code, 1.6 code, unique id of the answer)
SHAPES = [
    pytest.param('{"not": "an array"}', "RpcFrameworkError", "FormationViolation", "-1",
                 id="object"),
    pytest.param("[]", "RpcFrameworkError", "FormationViolation", "-1", id="empty-array"),
    pytest.param("null", "RpcFrameworkError", "FormationViolation", "-1", id="null"),
    pytest.param('[2, "abc"]', "RpcFrameworkError", "FormationViolation", "-1", id="array-of-2"),
    pytest.param('[2, 17, "Heartbeat", {}]', "RpcFrameworkError", "FormationViolation", "-1",
                 id="id-not-string"),
    pytest.param('[7, "abc", {}]', "MessageTypeNotSupported", "ProtocolError", "abc",
                 id="message-type-7"),
    pytest.param('[2, "abc", "Heartbeat", []]', "FormatViolation", "FormationViolation", "abc",
                 id="payload-not-object"),
    pytest.param('[2, "abc", "Heartbeat", "{}"]', "FormatViolation", "FormationViolation",
                 "abc", id="payload-string"),
    pytest.param('[2, "abc", 5, {}]', "FormatViolation", "FormationViolation", "abc",
                 id="action-not-string"),
    pytest.param('[2, "abc", "Heartbeat"]', "FormatViolation", "FormationViolation", "abc",
                 id="call-of-3"),
    pytest.param(f'[2, "{"x" * 37}", "Heartbeat", {{}}]', "RpcFrameworkError",
                 "FormationViolation", "-1", id="id-37-chars"),
]


@pytest.mark.parametrize(("frame", "code201", "code16", "uid"), SHAPES)
async def test_wrong_frame_shape(
    csms: Csms, version: str, frame: str, code201: str, code16: str, uid: str
) -> None:
    async with pair(csms, version) as p:
        reply = await send_raw(p.bad, frame)
        code = code16 if v16(version) else code201
        assert_callerror(reply, uid, code)
        await p.bystander_ok()
        await heartbeat_ok(p.bad)
        await assert_unparsed_logged(p, frame, code, uid)


async def test_message_id_of_36_chars_is_accepted(csms: Csms, version: str) -> None:
    async with pair(csms, version) as p:
        uid = "y" * 36
        reply = await call(p.bad, "Heartbeat", {}, uid)
        assert reply[0] == 3
        assert reply[1] == uid
        await p.bystander_ok()


async def test_binary_frame(csms: Csms, version: str) -> None:
    async with pair(csms, version) as p:
        data = orjson.dumps([2, new_id(), "Heartbeat", {}])
        reply = await send_raw(p.bad, data)
        code = "FormationViolation" if v16(version) else "RpcFrameworkError"
        assert_callerror(reply, "-1", code)
        await p.bystander_ok()
        await heartbeat_ok(p.bad)
        await assert_unparsed_logged(p, data.decode(), code, "-1")


# -- CALLs the CSMS will not handle ------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "code"),
    [
        pytest.param("FooBar", "NotImplemented", id="unknown"),
        pytest.param("Reset", "NotSupported", id="csms-to-charger-action"),
        pytest.param("RemoteStartTransaction", "NotSupported", id="csms-to-charger-action-2"),
        pytest.param("A" * 300, "NotImplemented", id="unknown-300-chars"),
        pytest.param("../schemas/Heartbeat", "NotImplemented", id="path-like"),
    ],
)
async def test_unhandled_action(csms: Csms, version: str, action: str, code: str) -> None:
    if action == "RemoteStartTransaction" and not v16(version):
        action = "RequestStartTransaction"
    async with pair(csms, version) as p:
        uid = new_id()
        reply = await call(p.bad, action, {}, uid)
        assert_callerror(reply, uid, code)
        await p.bystander_ok()
        await heartbeat_ok(p.bad)
        await assert_call_error_logged(p, uid, action, code)


# -- schema violations -------------------------------------------------------------------------

VIOLATIONS: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {
    "1.6": {
        "missing": ("BootNotification", {"chargePointVendor": "V"}),
        "wrong-type": ("BootNotification", {"chargePointVendor": 5, "chargePointModel": "M"}),
        "bad-enum": ("StatusNotification",
                     {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"}),
        "extra": ("BootNotification", {**BOOT["1.6"], "colour": "red"}),
    },
    "2.0.1": {
        "missing": ("BootNotification", {"reason": "PowerUp"}),
        "wrong-type": ("BootNotification",
                       {"reason": "PowerUp", "chargingStation": {"model": 5, "vendorName": "V"}}),
        "bad-enum": ("BootNotification", {**BOOT["2.0.1"], "reason": "Sleeping"}),
        "extra": ("BootNotification", {**BOOT["2.0.1"], "colour": "red"}),
    },
}
CODES = {
    "1.6": {"missing": "OccurenceConstraintViolation", "wrong-type": "TypeConstraintViolation",
            "bad-enum": "PropertyConstraintViolation", "extra": "FormationViolation"},
    "2.0.1": {"missing": "OccurrenceConstraintViolation", "wrong-type": "TypeConstraintViolation",
              "bad-enum": "PropertyConstraintViolation", "extra": "FormatViolation"},
}


@pytest.mark.parametrize("kind", ["missing", "wrong-type", "bad-enum", "extra"])
async def test_schema_violation(csms: Csms, version: str, kind: str) -> None:
    action, payload = VIOLATIONS[version][kind]
    code = CODES[version][kind]
    async with pair(csms, version) as p:
        uid = new_id()
        reply = await call(p.bad, action, payload, uid)
        assert_callerror(reply, uid, code)
        await p.bystander_ok()
        await heartbeat_ok(p.bad)
        await assert_call_error_logged(p, uid, action, code)
        logged = (await p.bad_messages()).filter(
            (pl.col("unique_id") == uid) & (pl.col("direction") == "in"))
        assert orjson.loads(logged["payload"][0]) == payload


# -- frames too big, floods, duplicate connections ---------------------------------------------


async def test_oversized_frame_closes_1009(make_csms: CsmsFactory, version: str) -> None:
    csms = await make_csms(max_frame_bytes=1024)
    async with pair(csms, version) as p:
        frame = orjson.dumps([2, new_id(), "DataTransfer", {"vendorId": "x" * 2000}])
        await p.bad.send(frame.decode())
        with pytest.raises(ConnectionClosed) as info:
            await recv_json(p.bad)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1009
        await p.bystander_ok()

        ev = await disconnect_event(csms, BAD)
        assert ev["close_code"] == 1009
        too_big = (await p.bad_messages()).filter(pl.col("error_code") == "MessageTooBig")
        assert too_big.height == 1
        assert too_big["direction"][0] == "in"
        assert too_big["message_type"][0] is None
        await p.bystander_ok()


async def test_oversized_frame_from_a_peer_that_drops_the_link(make_csms: CsmsFactory) -> None:
    """The refused frame is logged even when the charger does not answer the 1009 close frame
    (it just drops TCP): what the server logs must not depend on the peer's echo."""
    csms = await make_csms(max_frame_bytes=1024)
    async with pair(csms, "1.6") as p:
        csms.add_charger(f"{BAD}-RAW", password=False)
        raw = await RawWs.open("127.0.0.1", csms.server.port, f"/ocpp/{BAD}-RAW", ["ocpp1.6"])
        assert raw.status == 101
        await raw.send_text(orjson.dumps([2, "big", "DataTransfer",
                                          {"vendorId": "x" * 2000}]).decode())
        opcode, data = await raw.recv_frame()
        assert opcode == OP_CLOSE
        assert int.from_bytes(data[:2], "big") == 1009
        raw.abort()

        ev = await disconnect_event(csms, f"{BAD}-RAW")
        await p.bystander_ok()
        assert ev["close_code"] == 1009, ev
        too_big = (await messages(csms, f"{BAD}-RAW")).filter(
            pl.col("error_code") == "MessageTooBig")
        assert too_big.height == 1


async def test_flood_gets_generic_error_then_1008(make_csms: CsmsFactory, version: str) -> None:
    # A lake quota of ~5 refused calls: the rest of the flood is counted, not stored.
    csms = await make_csms(rate_limit=5, rate_burst=5, flood_close_after=20, lake_quota_bytes=2000)
    async with pair(csms, version) as p:
        # boot used one token of the burst: 4 calls left before the limit.
        sent = [new_id() for _ in range(40)]
        for uid in sent:
            await p.bad.send(orjson.dumps([2, uid, "Heartbeat", {}]).decode())
        results: list[list[Any]] = []
        errors: list[list[Any]] = []

        async def read_until_closed() -> None:
            for _ in range(len(sent) + 1):
                reply = await recv_json(p.bad)
                (results if reply[0] == 3 else errors).append(reply)

        with pytest.raises(ConnectionClosed) as info:
            await read_until_closed()
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1008
        assert [r[1] for r in results] == sent[: len(results)]
        assert 4 <= len(results) <= 5, results
        assert len(errors) >= 20
        for err in errors:
            assert (err[0], err[2]) == (4, "GenericError"), err
        await p.bystander_ok()

        ev = await disconnect_event(csms, BAD)
        assert ev["close_code"] == 1008
        assert "flood" in (ev["reason"] or "")
        df = await p.bad_messages()
        # Served calls are all stored; refused ones (in + out rows) only within the quota.
        served = df.filter((pl.col("direction") == "out") & (pl.col("message_type") == 3)
                           & pl.col("unique_id").is_in(sent))
        assert served.height == len(results)
        generic = df.filter(
            (pl.col("direction") == "out") & (pl.col("error_code") == "GenericError"))
        assert 1 <= generic.height <= 6
        assert set(generic["unique_id"].to_list()) <= {e[1] for e in errors}
        assert set(generic["action"].to_list()) == {"Heartbeat"}
        assert df.filter((pl.col("direction") == "in") & pl.col("unique_id").is_in(
            generic["unique_id"].to_list())).height == generic.height
        # Frames that arrived after the decision to close are not answered; all that was not
        # stored is counted in one lake_quota row.
        unanswered = df.filter(pl.col("error_description").str.starts_with("not answered: flood"))
        assert unanswered["raw"].str.contains("Heartbeat").all()
        quota = (await events(csms, BAD)).filter(pl.col("event") == "lake_quota")
        assert quota.height == 1
        frames = int(quota["reason"][0].split("frames=")[1].split()[0])
        refused = len(sent) - len(results)  # answered GenericError or left unanswered
        assert generic.height + unanswered.height + frames == refused
        await p.bystander_ok()


async def test_second_connection_same_id_supersedes(csms: Csms, version: str) -> None:
    async with pair(csms, version) as p:
        old_conn = csms.server.hub.connections[BAD].connection_id
        new = await open_ws(csms, BAD, version)
        try:
            with pytest.raises(ConnectionClosed) as info:
                await recv_json(p.bad)
            assert info.value.rcvd is not None
            assert info.value.rcvd.code == 1000
            await heartbeat_ok(new)
            await p.bystander_ok()

            async def old_gone() -> bool:
                df = await events(csms, BAD)
                return df.filter((pl.col("event") == "disconnect")
                                 & (pl.col("connection_id") == old_conn)).height == 1

            await wait_for(old_gone)
            ev = await events(csms, BAD)
            sup = ev.filter(pl.col("event") == "superseded")
            assert sup.height == 1
            assert sup["connection_id"][0] == old_conn
            assert sup["close_code"][0] == 1000
            connects = ev.filter(pl.col("event") == "connect")["connection_id"].to_list()
            assert len(connects) == 2
            assert connects[0] == old_conn
            new_conn = connects[1]
            # the old link's close must not mark the charger offline: the new one is live
            state = csms.server.hub.chargers[BAD]
            assert state.connected
            assert state.connection_id == new_conn
            assert csms.server.hub.connections[BAD].connection_id == new_conn
            await heartbeat_ok(new)
            df = await p.bad_messages()
            assert df.filter(pl.col("connection_id") == new_conn).height == 4  # 2 heartbeats
        finally:
            await new.close()
        await p.bystander_ok()


async def test_bystander_unaffected_by_many_bad_frames(csms: Csms, version: str) -> None:
    """Bad frames of every kind in a row, interleaved with the bystander's calls."""
    answered = ["garbage", "[]", '[7,"a",{}]', '[2,"b","FooBar",{}]', '[2,"c","Reset",{}]',
                '[2,"d","BootNotification",{}]']
    unanswered = ['[3,"never-asked",{}]', '[4,"e","GenericError","y",{}]']
    async with pair(csms, version) as p:
        for frame in answered + unanswered:
            await p.bad.send(frame)
            await p.bystander_ok()
        replies = [await recv_json(p.bad) for _ in answered]
        assert [r[0] for r in replies] == [4] * len(answered)
        assert [r[1] for r in replies] == ["-1", "-1", "a", "b", "c", "d"]
        await heartbeat_ok(p.bad)  # nothing was sent back for the CALLRESULT and CALLERROR
        df = await p.bad_messages()
        stray = df.filter((pl.col("direction") == "in") & (pl.col("unique_id") == "never-asked"))
        assert stray["error_code"].to_list() == ["UnknownMessageId"]
