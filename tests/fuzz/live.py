"""A real CSMS node on loopback in a thread of its own, for hypothesis tests: they are
synchronous, so the server cannot share their event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from tests.conftest import Csms


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
