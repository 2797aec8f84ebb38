"""``cpo demo``: the whole product end to end on embedded data, in one process.

Today: a CSMS node with its command API, a mixed OCPP 1.6J / 2.0.1 fleet of simulated chargers
over real WebSockets with Basic auth, sessions with meter values, remote commands through the
HTTP API, then the lake read back with DuckDB. Later stages (pipelines, models, dashboard)
append their steps here.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import time
from pathlib import Path
from typing import Any

import aiohttp

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from ingest.lake.paths import lake_dir
from workbench.demo_fleet import Say, connect, drive, fleet, payload_status, register
from workbench.lake_summary import summarize

COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("trigger_message", {"message": "Heartbeat"}),
    ("get_configuration", {"keys": []}),
    ("reset", {"type": "soft"}),
]


async def _api(session: aiohttp.ClientSession, url: str, cp_id: str, command: str,
               params: dict[str, Any]) -> Any:
    body = {"command": command, "params": params, "requested_by": "operator",
            "reason": "cpo demo"}
    async with session.post(f"{url}/api/v1/chargers/{cp_id}/commands", json=body) as resp:
        return await resp.json()


def _params(command: str, params: dict[str, Any], version: str) -> dict[str, Any]:
    if command == "get_configuration" and version != "1.6":
        return {"keys": ["OCPPCommCtrlr.HeartbeatInterval"]}
    return params


async def run_demo(data_dir: Path, chargers: int, sessions: int, seed: int, say: Say) -> None:
    config = CsmsConfig(data_dir=data_dir, port=0, api_port=0, node_id="demo",
                        validate_responses=True)
    server = CsmsServer(config)
    register(server.registry, demo := fleet(chargers))
    await server.start()
    url, api = f"ws://127.0.0.1:{server.port}/ocpp", f"http://127.0.0.1:{server.api.port}"
    say(f"CSMS listening on {url}/{{id}}, API on {api}")
    rng = random.Random(seed)
    try:
        links = [await connect(url, c) for c in demo]
        say(f"{len(links)} chargers connected ({sum(c.version == '1.6' for c in demo)} on 1.6J, "
            f"{sum(c.version != '1.6' for c in demo)} on 2.0.1), Basic auth")
        for done, (cp, _) in enumerate(links, 1):
            await drive(cp, sessions, rng)
            say(f"  [{done}/{len(links)}] {cp.id}: {sessions} sessions")
        headers = {"Authorization": f"Bearer {server.api.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            for c in demo[:2]:
                for command, params in COMMANDS:
                    answer = await _api(http, api, c.cp_id, command,
                                        _params(command, params, c.version))
                    say(f"  command {command} -> {c.cp_id}: {payload_status(answer)}")
        for cp, task in links:
            await cp._connection.close()
            await task
    finally:
        await server.stop()


def demo(data_dir: Path, chargers: int, sessions: int, seed: int, keep: bool, say: Say) -> None:
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    started = time.perf_counter()
    say(f"[1/2] CSMS + simulated fleet on {data_dir}")
    asyncio.run(run_demo(data_dir, chargers, sessions, seed, say))
    say("[2/2] The lake, read back with DuckDB")
    for line in summarize(lake_dir(data_dir)):
        say("  " + line)
    say(f"done in {time.perf_counter() - started:.1f} s. Next: cpo csms --data-dir {data_dir} "
        "--api-port 9001, then cpo status --data-dir " + str(data_dir))
