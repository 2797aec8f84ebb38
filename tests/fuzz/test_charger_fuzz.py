"""Random and hostile frames from a charger on a real CSMS (loopback): the charger stays
connected and gets correct answers after each, a bystander on the same node too, and the
server logs no traceback."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from csms_lite.rpc import validation
from csms_lite.versions import V16
from tests.conftest import Csms
from tests.csms_lite.helpers.ocppj import BOOT
from tests.fuzz.strategies import FUZZ_LIVE, finite_json, nested
from tests.threaded_csms import threaded_csms

BAD, GOOD = "CP-FUZZ", "CP-BYSTANDER"


@pytest.fixture(scope="module")
def csms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Csms]:
    with threaded_csms(Path(tmp_path_factory.mktemp("ws-fuzz"))) as live:
        for cp in (BAD, GOOD):
            live.add_charger(cp, password=False)
        yield live


@pytest.fixture(scope="module")
def pair(csms: Csms) -> Iterator[tuple[ClientConnection, ClientConnection]]:
    with ExitStack() as stack:
        links = [stack.enter_context(connect(
            f"{csms.url}/{cp}", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            open_timeout=5, close_timeout=2)) for cp in (BAD, GOOD)]
        for ws in links:
            assert answer(ws, "BootNotification", BOOT["1.6"])[0] == 3
        yield links[0], links[1]


def answer(ws: ClientConnection, action: str, payload: dict[str, Any]) -> list[Any]:
    """Send a CALL and return the frame that answers it, skipping answers to earlier frames."""
    uid = uuid.uuid4().hex
    ws.send(orjson.dumps([2, uid, action, payload]).decode())
    while True:
        reply = orjson.loads(ws.recv(timeout=5))
        if reply[1] == uid:
            return list(reply)


def still_fine(pair: tuple[ClientConnection, ClientConnection]) -> None:
    for ws in pair:
        reply = answer(ws, "Heartbeat", {})
        assert reply[0] == 3, reply
        assert "currentTime" in reply[2], reply


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


actions = st.sampled_from(sorted(validation.actions(V16)))
frames_as_text = (
    st.text(max_size=200)
    | st.lists(finite_json, max_size=6).map(json.dumps)
    | st.tuples(st.just(2), st.uuids().map(str), actions,
                st.dictionaries(st.text(max_size=20), finite_json, max_size=6)).map(
        lambda t: json.dumps(list(t)))
    | st.integers(1, 30_000).map(lambda d: f'[2,"deep","DataTransfer",{{"data":{nested(d)}}}]')
)


@FUZZ_LIVE
@given(text=frames_as_text)
def test_random_frames(pair: tuple[ClientConnection, ClientConnection], text: str,
                       caplog: pytest.LogCaptureFixture) -> None:
    pair[0].send(text)
    still_fine(pair)
    no_tracebacks(caplog)


@pytest.mark.parametrize("depth", [100, 300, 1000, 30_000])
@pytest.mark.parametrize("kind", ["call", "result", "error"])
def test_deeply_nested_frame(pair: tuple[ClientConnection, ClientConnection], depth: int,
                             kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a frame 300 levels deep decoded but could not be journalled; the server
    closed the link with 1011 and logged a traceback. Now a CALLERROR, the link stays up."""
    bomb = nested(depth)
    text = {"call": f'[2,"deep-1","DataTransfer",{{"vendorId":"v","data":{bomb}}}]',
            "result": f'[3,"deep-1",{{"data":{bomb}}}]',
            "error": f'[4,"deep-1","GenericError","",{{"data":{bomb}}}]'}[kind]
    pair[0].send(text)
    reply = orjson.loads(pair[0].recv(timeout=5))
    assert reply[0] == 4, reply
    # 1.6 spells both FormatViolation and RpcFrameworkError "FormationViolation"; past 1024
    # levels orjson refuses the text, so the id is unread ("-1") as for any text not JSON.
    assert reply[1:3] == ["-1" if depth > 1000 else "deep-1", "FormationViolation"], reply
    still_fine(pair)
    no_tracebacks(caplog)
