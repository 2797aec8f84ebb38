"""How many of a burst of identical hard resets reach one charger (issue 18, item 9).

    uv run python bench/bench_command_burst.py [--requests 500]

Starts a CSMS in this process (temp data folder, free ports), connects one OCPP 1.6 charger
that answers every Reset at once, fires ``--requests`` concurrent ``POST .../commands``
``{"command": "reset", "params": {"type": "hard"}}`` through the HTTP API, and prints how many
Resets reached the charger, the HTTP statuses, and how long the burst took.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import tempfile
import time
from pathlib import Path

import aiohttp

from csms_lite.config import CsmsConfig
from csms_lite.registry.models import ChargePoint
from csms_lite.server.app import CsmsServer
from ingest.sim.link import open_link


async def burst(requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = CsmsServer(CsmsConfig(data_dir=Path(tmp), port=0, api_port=0, node_id="b"))
        await server.start()
        server.registry.add_charge_point(ChargePoint("CP-B"))
        ws = await open_link(f"ws://127.0.0.1:{server.port}/ocpp", "CP-B", "ocpp1.6")
        resets = 0

        async def charger() -> None:
            nonlocal resets
            while True:
                frame = json.loads(await ws.recv())
                if frame[0] == 2 and frame[2] == "Reset":
                    resets += 1
                    await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))

        answering = asyncio.create_task(charger())
        url = f"http://127.0.0.1:{server.api.port}/api/v1/chargers/CP-B/commands"
        body = {"command": "reset", "params": {"type": "hard"}}
        async with aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {server.api.token}"}
        ) as http:

            async def one() -> int:
                async with http.post(url, json=body) as resp:
                    await resp.read()
                    return resp.status

            started = time.perf_counter()
            codes = await asyncio.gather(*[one() for _ in range(requests)])
            took = time.perf_counter() - started
        answering.cancel()
        await ws.close()
        await server.stop()
    print(f"{requests} requests in {took:.2f} s: {resets} resets reached the charger; "
          f"HTTP {dict(sorted(collections.Counter(codes).items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    asyncio.run(burst(parser.parse_args().requests))


if __name__ == "__main__":
    main()
