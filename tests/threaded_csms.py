"""A real CSMS node on loopback in a thread of its own, for synchronous tests (hypothesis,
Streamlit's AppTest) that cannot share an event loop with it; and a charger that answers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from tests.conftest import Csms
from tests.csms_lite.helpers.ocppj import BOOT


@contextmanager
def threaded_csms(data_dir: Path) -> Iterator[Csms]:
    config = CsmsConfig(data_dir=data_dir, port=0, api_port=0, node_id="fuzz",
                        validate_responses=True, rate_limit=0, flush_interval=0.2)
    server = CsmsServer(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzz-csms", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield Csms(server, data_dir)
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@contextmanager
def answering_charger(csms: Csms, cp_id: str, status: str = "Accepted") -> Iterator[list[Any]]:
    """An OCPP 1.6 charger (plain websockets, its own thread) that boots, then answers every
    CALL from the CSMS with ``{"status": status}``; yields the CALLs it received."""
    received: list[Any] = []
    csms.add_charger(cp_id, password=False)
    with connect(f"{csms.url}/{cp_id}", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                 open_timeout=5, close_timeout=2) as ws:
        ws.send(orjson.dumps([2, "boot", "BootNotification", BOOT["1.6"]]).decode())
        assert orjson.loads(ws.recv(timeout=5))[0] == 3

        def answer() -> None:
            try:
                for text in ws:
                    frame = orjson.loads(text)
                    if frame[0] == 2:
                        received.append(frame)
                        ws.send(orjson.dumps([3, frame[1], {"status": status}]).decode())
            except ConnectionClosed:
                pass

        thread = threading.Thread(target=answer, name=f"charger-{cp_id}", daemon=True)
        thread.start()
        yield received
    thread.join(5)
