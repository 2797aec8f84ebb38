"""The async client: the same exchanges as the sync one (shared ``wire``), over aiohttp, against
a real HTTP server on loopback; and against a real CSMS node, the statuses it really sends."""

from __future__ import annotations

import pytest

from csms_lite.client import AsyncCsmsClient, HttpReply, HttpRequest, Refused, Unreachable
from tests.conftest import Csms
from tests.csms_lite.client.loopback import closed_port, loopback


async def test_chargers_command_and_outcome() -> None:
    with loopback() as (url, script):
        script.answer(200, [{"charge_point_id": "A"}])
        script.answer(409, {"command_id": "c1", "outcome": "offline"})
        script.answer(200, {"recorded": True})
        async with AsyncCsmsClient(url, "sekret", timeout_s=5.0) as client:
            assert await client.chargers() == [{"charge_point_id": "A"}]
            answer = await client.command("A", "reset", {"type": "soft"},
                                          requested_by="self_healing", reason="{}")
            await client.record_outcome("ticket-A/1", "A", "cured", {"after_s": 60.0},
                                        requested_by="self_healing")
    assert (answer.kind, answer.command_id) == ("offline", "c1")
    assert [(s.method, s.path, s.authorization) for s in script.seen] == [
        ("GET", "/api/v1/chargers", "Bearer sekret"),
        ("POST", "/api/v1/chargers/A/commands", "Bearer sekret"),
        ("POST", "/api/v1/commands/ticket-A%2F1/outcome", "Bearer sekret"),
    ]
    assert script.seen[1].body == {"command": "reset", "params": {"type": "soft"},
                                   "requested_by": "self_healing", "reason": "{}"}
    assert script.seen[2].body == {"charge_point_id": "A", "result": "cured",
                                   "detail": {"after_s": 60.0}, "requested_by": "self_healing"}


async def test_a_refused_outcome_raises() -> None:
    with loopback() as (url, script):
        script.answer(400, {"error": "charge_point_id and result must be non-empty text"})
        async with AsyncCsmsClient(url, "t", timeout_s=5.0) as client:
            with pytest.raises(Refused, match=r"answered 400 .* non-empty text"):
                await client.record_outcome("c", "", "cured", {})


async def test_unreachable_and_slow() -> None:
    async with AsyncCsmsClient(closed_port(), "t", timeout_s=5.0) as client:
        with pytest.raises(Unreachable, match=r"^cannot reach the CSMS API at http://127\.0\.0\.1:9"):
            await client.chargers()
    with loopback() as (url, script):
        script.answer(200, [], delay_s=1.0)
        async with AsyncCsmsClient(url, "t", timeout_s=0.2) as client:
            with pytest.raises(Unreachable, match="cannot reach the CSMS API"):
                await client.chargers()


class FakeTransport:
    def __init__(self) -> None:
        self.sent: list[tuple[HttpRequest, float]] = []
        self.closed = False

    async def send(self, request: HttpRequest, timeout_s: float) -> HttpReply:
        self.sent.append((request, timeout_s))
        return HttpReply(504, b'{"outcome": "timeout"}')

    async def close(self) -> None:
        self.closed = True


async def test_a_fake_transport_is_handed_in_and_closed() -> None:
    fake = FakeTransport()
    async with AsyncCsmsClient("http://csms", "t", timeout_s=3.0, transport=fake) as client:
        answer = await client.command("CP", action="Reset", payload={"type": "Hard"})
    assert answer.kind == "timeout"
    assert [(str(r), t) for r, t in fake.sent] == [("POST /api/v1/chargers/CP/commands", 3.0)]
    assert fake.closed


async def test_against_a_real_csms(csms: Csms) -> None:
    csms.add_charger("CP-NONE")  # known, not connected
    async with AsyncCsmsClient(csms.api_url, csms.server.api.token, timeout_s=10.0) as client:
        assert await client.chargers() == []
        offline = await client.command("CP-NONE", "reset", {"type": "soft"})
        invalid = await client.command("CP-NONE", "explode")
        await client.record_outcome(offline.command_id or "", "CP-NONE", "not_cured", {})
    assert (offline.http_status, offline.kind, offline.outcome) == (409, "offline", "offline")
    assert offline.command_id
    assert (invalid.http_status, invalid.kind, invalid.outcome) == (400, "invalid", None)
    assert invalid.error is not None
    assert "unknown command" in invalid.error
    async with AsyncCsmsClient(csms.api_url, "wrong", timeout_s=10.0) as client:
        with pytest.raises(Refused) as info:
            await client.chargers()
    assert info.value.status == 401
