"""Fixtures of the cluster tests: a real redis-server per test (skipped, with the reason, only
when the binary is missing) and in-process nodes sharing it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.procs import RedisServer, need
from tests.conftest import Csms, CsmsFactory


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
def make_node(redis_server: RedisServer, make_csms: CsmsFactory) -> NodeFactory:
    """Start an in-process node of the cluster: ``await make_node("n1", **config overrides)``.
    Nodes share one data folder (registry, token and lake) as nodes on one machine would; they
    stop before the broker does (fixtures tear down in reverse)."""

    async def factory(node_id: str, **overrides: Any) -> Csms:
        return await make_csms(node_id=node_id, api_token="cluster-token",
                               broker_url=redis_server.url, command_timeout=5.0, **overrides)

    return factory
