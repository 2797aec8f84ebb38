"""Fixtures of the cluster tests: a real redis-server per test (skipped, with the reason, only
when the binary is missing) and in-process nodes sharing it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from tests.cluster.procs import RedisServer, need
from tests.conftest import Csms


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(need("redis-server", "redis-server"), tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


NodeFactory = Callable[..., Any]


@pytest.fixture
async def make_node(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[NodeFactory]:
    """Start an in-process node of the cluster: ``await make_node("n1", **config overrides)``.
    Nodes share one data folder (registry, token and lake) as nodes on one machine would."""
    started: list[CsmsServer] = []
    base = CsmsConfig(data_dir=tmp_path / "data", port=0, api_port=0, api_token="cluster-token",
                      validate_responses=True, flush_interval=0.2, watchdog_interval=0.2,
                      broker_url=redis_server.url, command_timeout=5.0)

    async def factory(node_id: str, **overrides: Any) -> Csms:
        config = replace(base, node_id=node_id, **overrides)
        server = CsmsServer(config)
        await server.start()
        started.append(server)
        return Csms(server, config.data_dir)

    yield factory
    for server in started:
        await server.stop()
