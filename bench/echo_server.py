"""Baseline for bench_csms: a raw ``websockets`` echo server speaking just enough OCPP-J.

Every text frame ``[2, id, action, payload]`` is answered with ``[3, id, {}]`` after a minimal
``json.loads`` + ``json.dumps``: no validation, no handlers, no logging. Same library, same
server options (no compression, no pings, 64 KiB frames) and same event loop as ``cpo csms``
(uvloop when importable), so ``csms / echo`` is what the CSMS's own work costs.

    uv run python bench/echo_server.py --port 9100 [--max-seconds 600]

Serves ``ws://HOST:PORT/<any path>`` with subprotocols ocpp1.6 / ocpp2.0.1 and prints
``READY <port>`` on stdout once listening. Stops on SIGINT/SIGTERM, or after --max-seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from collections.abc import Coroutine
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

_loads, _dumps = json.loads, json.dumps


async def echo(ws: ServerConnection) -> None:
    try:
        async for text in ws:
            frame = _loads(text)
            await ws.send(_dumps([3, frame[1], {}], separators=(",", ":")))
    except ConnectionClosed:
        pass


async def main(host: str, port: int, max_seconds: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serve(
        echo,
        host,
        port,
        subprotocols=[Subprotocol("ocpp1.6"), Subprotocol("ocpp2.0.1")],
        max_size=65536,
        ping_interval=None,
        compression=None,
        server_header=None,
    ) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"READY {bound}", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max_seconds)


def run_loop(coro: Coroutine[Any, Any, None]) -> None:
    """The CSMS's policy (workbench.commands.csms.run_loop): uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(coro)
        return
    uvloop.run(coro)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--max-seconds", type=float, default=600.0, help="safety stop")
    args = ap.parse_args()
    run_loop(main(args.host, args.port, args.max_seconds))
