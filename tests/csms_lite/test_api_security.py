"""The HTTP API's guard rails (issue 18), each on a real CSMS over loopback: bounded command
timeouts that count queue time, scoped tokens, outcomes only by a command's own caller,
coalesced commands and the reset budget, password rotation with redaction in the lake."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus

from csms_lite.registry.passwords import verify_password
from ingest.sim.link import open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.lake_helpers import table

WAIT_S = 10.0  # an upper bound on any single step, never a pass/fail time


async def call(
    csms: Csms, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
    raw: str | None = None,
) -> tuple[int, Any]:
    hdrs = headers if headers is not None else csms.api_headers
    data = raw if raw is not None else None if body is None else json.dumps(body)
    timeout = aiohttp.ClientTimeout(total=WAIT_S * 2)
    async with aiohttp.ClientSession(headers=hdrs, timeout=timeout) as http, http.request(
        method, f"{csms.api_url}{path}", data=data,
        headers={"Content-Type": "application/json"},
    ) as resp:
        return resp.status, await resp.json(content_type=None)


def command_path(cp_id: str) -> str:
    return f"/api/v1/chargers/{cp_id}/commands"


async def recv(ws: ClientConnection) -> list[Any]:
    frame: list[Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT_S))
    return frame


@pytest.fixture
async def raw16(csms: Csms) -> AsyncIterator[ClientConnection]:
    """A 1.6 charger played by the test: it answers only what the test tells it to."""
    csms.add_charger("RAW16")
    ws = await open_link(csms.url, "RAW16", "ocpp1.6", PASSWORD)
    yield ws
    await ws.close()


# -- item 6: timeouts ---------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1e308", "NaN", "Infinity", "0.5", "301", "-1", '"5"',
                                   "true"])
async def test_a_timeout_out_of_bounds_is_refused(csms: Csms, given: str) -> None:
    csms.add_charger("CP-T")
    code, answer = await call(csms, "POST", command_path("CP-T"),
                              raw=f'{{"command": "reset", "timeout": {given}}}')
    assert code == 400
    # NaN and Infinity are no JSON at all (RFC 8259): the body is refused before its fields
    expected = "no NaN or Infinity" if given in ("NaN", "Infinity") else (
        "timeout must be a number of seconds from 1 to 300")
    assert expected in answer["error"]


async def test_queue_time_counts_in_the_timeout(csms: Csms, raw16: ClientConnection) -> None:
    """A command queued behind one the charger never answers times out at its own deadline,
    before the first one, and is never sent."""
    first = asyncio.create_task(call(csms, "POST", command_path("RAW16"),
                                     {"command": "clear_cache", "timeout": 3}))
    sent = await recv(raw16)
    assert sent[2] == "ClearCache"
    second = asyncio.create_task(call(csms, "POST", command_path("RAW16"),
                                      {"command": "reset", "timeout": 1}))
    done, _ = await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
    assert done == {second}
    code, answer = second.result()
    assert (code, answer["outcome"]) == (504, "timeout")
    assert "queue" in answer["error_description"]
    await raw16.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
    assert (await first)[0] == 200
    with pytest.raises(TimeoutError):  # the queued reset never went out
        await asyncio.wait_for(raw16.recv(), 0.5)


# -- tokens and scopes ---------------------------------------------------------------------


async def test_each_endpoint_checks_its_scope(csms: Csms) -> None:
    csms.add_charger("CP-S")
    reader = csms.headers("reader", ("read",))
    sender = csms.headers("sender", ("command",))
    assert (await call(csms, "GET", "/api/v1/chargers", headers=reader))[0] == 200
    code, answer = await call(csms, "POST", command_path("CP-S"), {"command": "reset"},
                              headers=reader)
    assert code == 403
    assert "'command' scope" in answer["error"]
    assert (await call(csms, "GET", "/api/v1/chargers", headers=sender))[0] == 403
    assert (await call(csms, "POST", command_path("CP-S"), {"command": "reset"},
                       headers=sender))[0] == 409  # allowed; the charger is offline
    assert (await call(csms, "GET", "/api/v1/tokens", headers=sender))[0] == 403
    code, listed = await call(csms, "GET", "/api/v1/tokens")  # the bootstrap token: admin
    assert code == 200
    assert {t["name"] for t in listed} == {"operator", "reader", "sender"}
    assert "token_hash" not in listed[0]
    assert (await call(csms, "GET", "/api/v1/chargers", headers={}))[0] == 401


async def test_token_admin_create_rotate_revoke_and_use_counts(csms: Csms) -> None:
    code, made = await call(csms, "POST", "/api/v1/tokens", {"name": "bot", "scopes": ["read"]})
    assert code == 200
    bot = {"Authorization": f"Bearer {made['token']}"}
    for _ in range(3):
        assert (await call(csms, "GET", "/api/v1/chargers", headers=bot))[0] == 200
    code, rotated = await call(csms, "POST", "/api/v1/tokens/bot/rotate")
    assert code == 200
    assert (await call(csms, "GET", "/api/v1/chargers", headers=bot))[0] == 401
    bot = {"Authorization": f"Bearer {rotated['token']}"}
    assert (await call(csms, "GET", "/api/v1/chargers", headers=bot))[0] == 200
    assert (await call(csms, "DELETE", "/api/v1/tokens/bot"))[0] == 200
    code, answer = await call(csms, "GET", "/api/v1/chargers", headers=bot)
    assert (code, answer["error"]) == (401, "token 'bot' was revoked")
    assert (await call(csms, "POST", "/api/v1/tokens", {"name": "x y", "scopes": ["read"]}))[
        0] == 400
    csms.server.api.auth.flush()
    token = csms.server.registry.tokens.get("bot")
    assert token is not None
    assert (token.use_count, token.last_used_at is not None) == (4, True)  # 3 + 1 rotated


async def test_commands_record_the_token_name_and_the_person(csms: Csms) -> None:
    csms.add_charger("CP-W")
    dash = csms.headers("dashboard")
    await call(csms, "POST", command_path("CP-W"), {"command": "reset"}, headers=dash)
    await call(csms, "POST", command_path("CP-W"), {"command": "clear_cache",
                                                    "on_behalf_of": "alice@example.com"},
               headers=dash)
    code, answer = await call(csms, "POST", command_path("CP-W"), {
        "command": "reset", "on_behalf_of": "alice; drop table"}, headers=dash)
    assert code == 400
    assert "on_behalf_of" in answer["error"]
    rows = (await table(csms, "commands")).sort("requested_at")
    assert rows["requested_by"].to_list() == ["dashboard", "dashboard:alice@example.com",
                                              "dashboard"]  # the refused one, by its token
    assert rows["outcome"][-1] == "invalid"


# -- item 14: outcomes ---------------------------------------------------------------------


async def test_only_a_commands_own_caller_records_its_outcome(
    csms: Csms, raw16: ClientConnection
) -> None:
    healer, other = csms.headers("self_healing"), csms.headers("intruder")
    task = asyncio.create_task(call(csms, "POST", command_path("RAW16"),
                                    {"command": "reset"}, headers=healer))
    sent = await recv(raw16)
    await raw16.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
    code, answer = await task
    assert code == 200
    command_id = answer["command_id"]
    good = {"charge_point_id": "RAW16", "result": "cured", "detail": {"after_s": 60}}

    async def outcome(cid: str, body: dict[str, Any], who: dict[str, str]) -> int:
        return (await call(csms, "POST", f"/api/v1/commands/{cid}/outcome", body,
                           headers=who))[0]

    assert await outcome("forged-id", good, healer) == 404
    assert await outcome(command_id, {**good, "charge_point_id": "CP-OTHER"}, healer) == 400
    assert await outcome(command_id, good, other) == 403
    assert await outcome(command_id, {**good, "result": "x" * 500}, healer) == 400
    assert await outcome(command_id, {**good, "detail": {"x": "y" * 5000}}, healer) == 400
    assert await outcome(command_id, good, healer) == 200
    ticket = {"charge_point_id": "RAW16", "result": "maintenance_ticket", "detail": {}}
    assert await outcome("ticket-RAW16-1700000000", ticket, healer) == 200
    rows = (await table(csms, "commands")).filter(pl.col("action") == "Outcome")
    assert rows["command_id"].to_list() == [command_id, "ticket-RAW16-1700000000"]
    assert set(rows["requested_by"].to_list()) == {"self_healing"}


# -- item 9: coalescing and the reset budget ------------------------------------------------


async def test_a_burst_of_resets_reaches_the_charger_within_its_budget(
    csms: Csms, raw16: ClientConnection
) -> None:
    resets = 0

    async def charger() -> None:
        nonlocal resets
        while True:
            frame = json.loads(await raw16.recv())
            if frame[0] == 2 and frame[2] == "Reset":
                resets += 1
                await raw16.send(json.dumps([3, frame[1], {"status": "Accepted"}]))

    answering = asyncio.create_task(charger())
    body = {"command": "reset", "params": {"type": "hard"}}
    async with aiohttp.ClientSession(headers=csms.api_headers) as http:

        async def one() -> tuple[int, Any]:
            async with http.post(f"{csms.api_url}{command_path('RAW16')}", json=body) as resp:
                return resp.status, await resp.json()

        answers = await asyncio.wait_for(asyncio.gather(*[one() for _ in range(500)]), 60)
    answering.cancel()
    codes = [code for code, _ in answers]
    assert set(codes) <= {200, 429}
    assert 1 <= resets <= csms.server.config.reset_budget
    # every answer is a reset that went out, a caller sharing one's answer, or a 429
    coalesced = sum(1 for _, a in answers if a.get("coalesced"))
    assert codes.count(200) - coalesced == resets
    limited = next((a for c, a in answers if c == 429), None)
    if limited is not None:
        assert "reset budget spent" in limited["error_description"]


async def test_the_reset_budget_answers_429(csms: Csms, raw16: ClientConnection) -> None:
    for _ in range(csms.server.config.reset_budget):
        task = asyncio.create_task(call(csms, "POST", command_path("RAW16"),
                                        {"command": "reset"}))
        sent = await recv(raw16)
        await raw16.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
        assert (await task)[0] == 200
    code, answer = await call(csms, "POST", command_path("RAW16"), {"command": "reset"})
    assert (code, answer["outcome"]) == (429, "rate_limited")
    assert "reset budget spent: 3 resets of RAW16" in answer["error_description"]
    # other commands are not rationed
    task = asyncio.create_task(call(csms, "POST", command_path("RAW16"),
                                    {"command": "clear_cache"}))
    sent = await recv(raw16)
    await raw16.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
    assert (await task)[0] == 200


# -- item 7: passwords ---------------------------------------------------------------------


async def _lake_text(csms: Csms) -> str:
    rows = [(await table(csms, name)).rows() for name in ("ocpp_messages", "commands")]
    return "\n".join(str(row) for part in rows for row in part)


async def test_a_password_set_by_change_configuration_is_redacted(
    csms: Csms, raw16: ClientConnection
) -> None:
    secret = "s3cret-new-password-42"
    task = asyncio.create_task(call(csms, "POST", command_path("RAW16"), {
        "command": "change_configuration",
        "params": {"key": "AuthorizationKey", "value": secret}}))
    sent = await recv(raw16)
    assert sent[3]["value"] == secret  # the charger gets it...
    await raw16.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
    code, answer = await task
    assert code == 200
    assert secret not in json.dumps(answer)  # ...nobody else
    text = await _lake_text(csms)
    assert secret not in text
    assert "<redacted>" in text
    row = (await table(csms, "commands")).row(0, named=True)
    assert (row["action"], row["status"]) == ("ChangeConfiguration", "Accepted")
    cp = csms.server.registry.get_charge_point("RAW16")
    assert cp is not None
    assert cp.password_hash is not None
    assert verify_password(secret, cp.password_hash)  # the registry follows the charger


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_rotate_password_keeps_the_charger_able_to_connect(
    csms: Csms, version: str
) -> None:
    """The new password works from the moment it is sent (the charger may reconnect with it
    before it answers); once it is used the old one stops working."""
    csms.add_charger("ROT")
    ws = await open_link(csms.url, "ROT", version, PASSWORD)
    task = asyncio.create_task(call(csms, "POST", command_path("ROT"),
                                    {"command": "rotate_password"}))
    sent = await recv(ws)
    if version == "ocpp1.6":
        assert (sent[2], sent[3]["key"]) == ("ChangeConfiguration", "AuthorizationKey")
        new = sent[3]["value"]
    else:
        item = sent[3]["setVariableData"][0]
        assert (sent[2], item["component"]["name"], item["variable"]["name"]) == (
            "SetVariables", "SecurityCtrlr", "BasicAuthPassword")
        new = item["attributeValue"]
    # while the CALL is unanswered: the charger applies it and reconnects with the new one
    again = await open_link(csms.url, "ROT", version, new)
    code, answer = await task
    assert (code, answer["outcome"]) == (409, "offline")  # the old link was superseded
    with pytest.raises(InvalidStatus) as refused:
        await open_link(csms.url, "ROT", version, PASSWORD)
    assert refused.value.response.status_code == 401
    await again.close()
    assert new not in await _lake_text(csms)
    await ws.close()


async def test_a_refused_rotation_keeps_the_old_password(csms: Csms) -> None:
    csms.add_charger("ROT2")
    ws = await open_link(csms.url, "ROT2", "ocpp2.0.1", PASSWORD)
    task = asyncio.create_task(call(csms, "POST", command_path("ROT2"),
                                    {"command": "rotate_password"}))
    sent = await recv(ws)
    new = sent[3]["setVariableData"][0]["attributeValue"]
    await ws.send(json.dumps([3, sent[1], {"setVariableResult": [{
        "attributeStatus": "Rejected", "component": {"name": "SecurityCtrlr"},
        "variable": {"name": "BasicAuthPassword"}}]}]))
    assert (await task)[0] == 200
    await ws.close()
    with pytest.raises(InvalidStatus):
        await open_link(csms.url, "ROT2", "ocpp2.0.1", new)
    again = await open_link(csms.url, "ROT2", "ocpp2.0.1", PASSWORD)
    await again.close()


async def test_unanswered_rotations_leave_every_sent_password_usable(csms: Csms) -> None:
    """No answer: the charger may or may not have taken the password, so each one sent works
    until the charger connects with one of them; that one is then the only one."""
    csms.add_charger("ROT3")
    ws = await open_link(csms.url, "ROT3", "ocpp1.6", PASSWORD)
    sent = []
    for _ in range(2):
        code, answer = await call(csms, "POST", command_path("ROT3"),
                                  {"command": "rotate_password", "timeout": 1})
        assert (code, answer["outcome"]) == (504, "timeout")
        sent.append((await recv(ws))[3]["value"])
    await ws.close()
    first = await open_link(csms.url, "ROT3", "ocpp1.6", sent[0])
    await first.close()
    for stale in (PASSWORD, sent[1]):
        with pytest.raises(InvalidStatus):
            await open_link(csms.url, "ROT3", "ocpp1.6", stale)
