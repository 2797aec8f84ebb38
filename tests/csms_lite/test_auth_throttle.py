"""Failed Basic auth on a live CSMS: unknown ids and wrong passwords look alike (401, same body,
one scrypt run each), failures back off per source address and per charge point id (429), and
a flood of wrong-password handshakes neither runs scrypt for each guess nor keeps a real charger
out. Sources are told apart with X-Forwarded-For from a trusted proxy (loopback); pass/fail is on
counts (scrypt runs, status codes), never on timings."""

from __future__ import annotations

import asyncio
import ipaddress
from collections import Counter

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from ingest.sim.link import basic_auth
from tests.conftest import PASSWORD, Csms, CsmsFactory
from tests.csms_lite.helpers.ocppj import boot, events

pytestmark = pytest.mark.timeout(60)

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
FREE = 5  # auth_free_failures in these tests
VICTIM = "CP-VICTIM"


async def knock(csms: Csms, cp_id: str, password: str, source: str) -> int:
    """One handshake from ``source``: 101 if it got in (then closed), else the HTTP status."""
    headers = {**basic_auth(cp_id, password), "X-Forwarded-For": source}
    try:
        ws = await connect(f"{csms.url}/{cp_id}", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                           additional_headers=headers, open_timeout=30, close_timeout=2)
    except InvalidStatus as exc:
        return exc.response.status_code
    await boot(ws, "1.6")
    await ws.close()
    return 101


async def start(make_csms: CsmsFactory, **kw: object) -> Csms:
    csms: Csms = await make_csms(trusted_proxies=LOOPBACK, auth_free_failures=FREE,
                                 auth_backoff=30.0, **kw)
    csms.add_charger(VICTIM)
    return csms


async def test_unknown_id_and_wrong_password_look_alike(make_csms: CsmsFactory) -> None:
    csms = await start(make_csms)
    cache = csms.server.gate.cache
    answers = []
    for cp_id in (VICTIM, "NOBODY"):
        before = cache.hashes_computed
        with pytest.raises(InvalidStatus) as info:
            await connect(f"{csms.url}/{cp_id}", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                          additional_headers=basic_auth(cp_id, "guess"), open_timeout=10)
        response = info.value.response
        headers = {k: v for k, v in response.headers.raw_items() if k.lower() != "date"}
        answers.append((response.status_code, bytes(response.body), headers))
        assert cache.hashes_computed == before + 1, cp_id  # the same scrypt work
    assert answers[0] == answers[1]
    assert answers[0][0] == 401
    reasons = (await events(csms))["reason"].to_list()
    assert reasons == ["wrong password", "unknown charge point"]  # the lake knows


async def test_failures_back_off_per_source(make_csms: CsmsFactory) -> None:
    csms = await start(make_csms)
    statuses = [await knock(csms, f"GUESS-{i}", "guess", "10.0.0.66") for i in range(30)]
    assert statuses == [401] * FREE + [429] * (30 - FREE)
    assert csms.server.gate.cache.hashes_computed == FREE
    assert await knock(csms, VICTIM, PASSWORD, "10.0.0.1") == 101  # another source gets in


async def test_failures_back_off_per_id_but_a_verified_charger_gets_in(
    make_csms: CsmsFactory,
) -> None:
    csms = await start(make_csms)
    assert await knock(csms, VICTIM, PASSWORD, "10.0.0.1") == 101  # verified once: cached
    cache = csms.server.gate.cache
    before = cache.hashes_computed
    statuses = [await knock(csms, VICTIM, f"guess-{i}", f"10.1.0.{i}") for i in range(30)]
    assert statuses == [401] * FREE + [429] * (30 - FREE)
    assert cache.hashes_computed == before + FREE
    assert await knock(csms, VICTIM, PASSWORD, "10.0.0.1") == 101
    assert cache.hashes_computed == before + FREE  # from the cache, no scrypt


async def test_wrong_password_flood_leaves_a_charger_in(make_csms: CsmsFactory) -> None:
    """200 concurrent guesses from one source, half at one id: FREE scrypt runs for that id, at
    most the waiting cap plus FREE for the others (the source counts failures as they come),
    the rest refused at once; a charger never seen before (a cold cache) connects meanwhile."""
    pending = 16
    csms = await start(make_csms, auth_max_pending=pending)
    flood = [asyncio.create_task(knock(csms, VICTIM if i % 2 else f"GUESS-{i}", "guess",
                                       "10.0.0.66")) for i in range(200)]
    csms.add_charger("CP-REAL")
    real = await knock(csms, "CP-REAL", PASSWORD, "10.0.0.1")
    statuses = Counter(await asyncio.gather(*flood))
    assert real == 101
    assert set(statuses) <= {401, 429, 503}
    bound = FREE + (pending + FREE)
    assert statuses[401] <= bound
    assert csms.server.gate.cache.hashes_computed <= bound + 1


async def test_a_reconnect_storm_from_one_address_gets_in(make_csms: CsmsFactory) -> None:
    """50 chargers behind one address (a NAT, a balancer without --trusted-proxy), all with
    the right password and a cold cache, at once: none is refused for sharing the address."""
    csms = await start(make_csms)
    for i in range(50):
        csms.add_charger(f"CP-{i}")
    statuses = await asyncio.gather(*(knock(csms, f"CP-{i}", PASSWORD, "10.0.0.9")
                                      for i in range(50)))
    assert statuses == [101] * 50


async def test_scrypt_queue_is_bounded(make_csms: CsmsFactory) -> None:
    """Guesses from 200 sources for 200 ids (no back-off applies): beyond auth_max_pending
    waiting scrypt runs, a guess is refused with 503 instead of queueing."""
    csms = await start(make_csms, auth_max_pending=4)
    statuses = Counter(await asyncio.gather(*(
        knock(csms, f"GUESS-{i}", "guess", f"10.2.{i // 200}.{i % 200}") for i in range(200))))
    assert set(statuses) <= {401, 503}
    assert statuses[503] >= 100
    assert csms.server.gate.cache.hashes_computed == statuses[401]
