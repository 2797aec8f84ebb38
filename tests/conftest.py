"""Shared fixtures: a real CSMS node on loopback (random free ports) over a tmp data folder.

Also the session's order: the S3 lake tests run last (see ``pytest_collection_modifyitems``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from csms_lite.api.token import mint
from csms_lite.config import CsmsConfig
from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.passwords import hash_password
from csms_lite.server.app import CsmsServer

PASSWORD = "test-password-123"
_HASH = hash_password(PASSWORD)  # scrypt once per test session


_S3_TESTS = Path(__file__).parent / "lake_s3"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The S3 lake tests last, the rest in their order. Polars' S3 client leaves a thread that
    calls getenv() until the process exits; a later test adding a name to os.environ (as many
    monkeypatch.setenv calls do) could then segfault the process (tests/lake_s3/conftest.py)."""
    items.sort(key=lambda item: item.path.is_relative_to(_S3_TESTS))  # a stable sort


@dataclass
class Csms:
    server: CsmsServer
    data_dir: Path

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}/ocpp"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.api.port}"

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.api.token}"}

    def token(self, name: str, scopes: tuple[str, ...] = ("read", "command")) -> str:
        """A fresh API token named ``name`` (the lake's ``requested_by`` of its commands)."""
        return mint(self.server.registry, name, frozenset(scopes))

    def headers(self, name: str, scopes: tuple[str, ...] = ("read", "command")) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name, scopes)}"}

    def add_charger(self, cp_id: str, password: bool = True, **kw: Any) -> None:
        fields: dict[str, Any] = {
            "id": cp_id, "site": "site-1", "connectors": 2, "rated_kw": 22.0, "model": "M",
            "vendor": "V", "boot_status": "Accepted", "heartbeat_interval": 300,
            "password_hash": _HASH if password else None, "latitude": None, "longitude": None,
            "address": None,
        }
        fields.update(kw)
        self.server.registry.add_charge_point(ChargePoint(**fields))

    def add_tag(self, tag: str, status: str = "Accepted", partner: str | None = "emsp-a",
                **kw: Any) -> None:
        self.server.registry.add_id_tag(IdTag(tag, status, partner, kw.get("expiry"),
                                              kw.get("parent_id_tag")))


CsmsFactory = Callable[..., Any]


@pytest.fixture
def csms_config(tmp_path: Path) -> CsmsConfig:
    return CsmsConfig(data_dir=tmp_path / "data", port=0, api_port=0, node_id="test",
                      validate_responses=True, flush_interval=0.2, watchdog_interval=0.2)


@pytest.fixture
async def csms(csms_config: CsmsConfig) -> AsyncIterator[Csms]:
    """A started CSMS; stopped (and the lake flushed) after the test."""
    server = CsmsServer(csms_config)
    await server.start()
    try:
        yield Csms(server, csms_config.data_dir)
    finally:
        await server.stop()


@pytest.fixture
async def make_csms(tmp_path: Path) -> AsyncIterator[CsmsFactory]:
    """Start a CSMS with config overrides: ``await make_csms(accept_unknown=True)``."""
    started: list[CsmsServer] = []
    base = CsmsConfig(data_dir=tmp_path / "data", port=0, api_port=0, node_id="test",
                      validate_responses=True, flush_interval=0.2, watchdog_interval=0.2)

    async def factory(**overrides: Any) -> Csms:
        config = replace(base, **overrides)
        server = CsmsServer(config)
        await server.start()
        started.append(server)
        return Csms(server, config.data_dir)

    yield factory
    for server in started:
        await server.stop()
