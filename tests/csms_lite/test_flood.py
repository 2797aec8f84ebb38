"""Floods that are not plain over-the-limit CALLs, on a live CSMS: every frame and every byte
counts against the charger's limits, a persistent offender is closed with 1008 even when tokens
refill between its frames, and what a flood writes to the lake is capped (the excess counted in
one ``lake_quota`` connection event, not stored frame by frame). Pass/fail on counts only."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import orjson
import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from csms_lite.server.lake_quota import LAKE_QUOTA
from csms_lite.server.rejections import RejectionRows
from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.helpers.ocppj import (
    boot,
    disconnect_event,
    events,
    heartbeat_ok,
    messages,
    new_id,
    open_ws,
    recv_json,
)

pytestmark = pytest.mark.timeout(30)

BAD, GOOD = "CP-FLOOD", "CP-GOOD"


async def two(csms: Csms) -> tuple[ClientConnection, ClientConnection]:
    for cp in (BAD, GOOD):
        csms.add_charger(cp, password=False)
    bad = await open_ws(csms, BAD, password=None)
    good = await open_ws(csms, GOOD, password=None)
    await boot(bad, "1.6")
    await boot(good, "1.6")
    return bad, good


async def closed_code(ws: ClientConnection, most: int) -> int | None:
    """Read up to ``most`` frames; the close code if the CSMS closed the link meanwhile."""
    try:
        for _ in range(most):
            await recv_json(ws)
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd is not None else None
    except TimeoutError:
        return None
    return None


def quota_counts(ev: pl.DataFrame) -> dict[str, int]:
    """The counts in the one ``lake_quota`` row."""
    rows = ev.filter(pl.col("event") == LAKE_QUOTA)
    assert rows.height == 1, rows
    reason = rows["reason"][0]
    return {k: int(v) for k, v in re.findall(r"(frames|rows|bytes)=(\d+)", reason)}


@pytest.mark.parametrize("kind", ["junk", "callresult", "callerror"])
async def test_non_call_flood_is_limited_and_closed(make_csms: CsmsFactory, kind: str) -> None:
    """Frames that are not CALLs take tokens too (here the byte limit trips: 100 frames/s
    would pass); a flood of them is closed with 1008."""
    csms = await make_csms(rate_limit=100, rate_burst=100, byte_rate=1000, byte_burst=8192,
                           max_frame_bytes=8192, flood_close_after=20, lake_quota_bytes=20_000)
    bad, good = await two(csms)
    pad = "x" * 4000
    frame = {"junk": pad, "callresult": orjson.dumps([3, "nobody-asked", {"p": pad}]).decode(),
             "callerror": orjson.dumps([4, "nobody-asked", "GenericError", pad, {}]).decode()}
    sent = 0
    for _ in range(200):
        try:
            await bad.send(frame[kind])
        except ConnectionClosed:
            break
        sent += 1
    code = await closed_code(bad, 250)
    assert code == 1008
    await heartbeat_ok(good)
    ev = await disconnect_event(csms, BAD)
    assert ev["close_code"] == 1008
    assert "flood" in (ev["reason"] or "")
    # The lake kept what fits 20 KB (frames of 4 KB), and counted the rest in one row.
    df = (await messages(csms, BAD)).filter(pl.col("direction") == "in")
    stored = df.filter(pl.col("raw").str.contains(pad) | pl.col("payload").str.contains(pad)
                       | pl.col("error_description").str.contains(pad))
    assert 1 <= stored.height <= 5
    counts = quota_counts(await events(csms, BAD))
    assert 20 <= counts["frames"] + stored.height <= sent


async def test_steady_flood_just_over_the_limit_is_closed(make_csms: CsmsFactory) -> None:
    """Batches of 10 calls with a pause between: a token refills before each batch, which reset
    the old consecutive-refusal count; the strike meter does not reset, so the link closes."""
    csms = await make_csms(rate_limit=20, rate_burst=1, flood_close_after=20, flood_window=10)
    bad, good = await two(csms)
    assert await flood_until_closed(bad) == 1008
    await heartbeat_ok(good)


async def test_lake_quota_caps_what_a_flood_stores(make_csms: CsmsFactory) -> None:
    """Within the rate limits, 200 unparsable 1 KB frames are each answered, but the lake keeps
    only what fits the quota; the rest is one lake_quota row with the counts."""
    n, size, quota = 200, 1000, 20_000
    csms = await make_csms(rate_limit=10_000, rate_burst=10_000, byte_rate=10**9,
                           byte_burst=10**9, flood_close_after=10_000, lake_quota_bytes=quota)
    bad, good = await two(csms)
    for i in range(n):
        text = f"{i:05d}" + "y" * (size - 5)
        reply: Any = await recv_json_after(bad, text)
        assert reply[0] == 4, reply  # still answered: the quota is about the lake, not the wire
    await heartbeat_ok(bad)  # a served CALL is stored whatever the quota
    await bad.close()
    await heartbeat_ok(good)
    await disconnect_event(csms, BAD)
    df = await messages(csms, BAD)
    stored = df.filter(pl.col("raw").str.contains("yyyy"))
    assert 1 <= stored.height <= quota // size
    counts = quota_counts(await events(csms, BAD))
    assert counts["frames"] + stored.height == n
    assert counts["rows"] == 2 * counts["frames"]  # the frame and our CALLERROR
    assert counts["bytes"] == size * counts["frames"]
    assert df.filter(pl.col("action") == "Heartbeat").height == 2  # in and out


async def recv_json_after(ws: ClientConnection, text: str) -> Any:
    await ws.send(text)
    return await recv_json(ws)


async def test_a_reconnect_buys_no_fresh_lake_quota(make_csms: CsmsFactory) -> None:
    n, size, quota = 60, 1000, 20_000
    csms = await make_csms(rate_limit=10_000, rate_burst=10_000, byte_rate=10**9,
                           byte_burst=10**9, flood_close_after=10_000, lake_quota_bytes=quota)
    bad, good = await two(csms)
    for _ in range(3):
        for i in range(n):
            await recv_json_after(bad, f"{i:05d}" + "z" * (size - 5))
        await bad.close()
        bad = await open_ws(csms, BAD, password=None)
    await bad.close()
    await heartbeat_ok(good)
    stored = (await messages(csms, BAD)).filter(pl.col("raw").str.contains("zzzz"))
    assert 1 <= stored.height <= quota // size


async def flood_until_closed(bad: ClientConnection) -> int | None:
    """Batches of 10 calls with a pause between until the CSMS closes the link; its close code
    (at most 400 calls; ~8 refused per batch closes it after ~3 batches)."""
    for _ in range(40):
        try:
            for _ in range(10):
                await bad.send(orjson.dumps([2, new_id(), "Heartbeat", {}]).decode())
        except ConnectionClosed:
            return await closed_code(bad, 1)
        code = await closed_code(bad, 10)
        if code is not None:
            return code
        await asyncio.sleep(0.06)
    return None


async def test_a_flooder_that_reconnects_is_refused_a_while(make_csms: CsmsFactory) -> None:
    """Closed with 1008, a flooder reconnecting at once would get a fresh link (and one more
    lake row) a hundred times a second: it is refused (429, Retry-After) for the cool-down."""
    csms = await make_csms(rate_limit=20, rate_burst=1, flood_close_after=20, flood_window=10,
                           flood_cooldown=30)
    bad, good = await two(csms)
    assert await flood_until_closed(bad) == 1008
    with pytest.raises(InvalidStatus) as info:
        await open_ws(csms, BAD, password=None)
    assert info.value.response.status_code == 429
    assert 0 < int(info.value.response.headers["Retry-After"]) <= 30
    await heartbeat_ok(good)  # everyone else is served


async def test_refused_handshakes_reach_the_lake_within_a_budget(
    make_csms: CsmsFactory,
) -> None:
    csms = await make_csms(rejected_rows_per_minute=5)
    for _ in range(30):
        with pytest.raises(InvalidStatus):
            await open_ws(csms, "bad%20id!", password=None)  # 404: no scrypt, no back-off
    ev = await events(csms)
    assert ev.filter(pl.col("event") == "rejected").height == 5


def test_refusals_not_stored_are_counted_in_the_next_row() -> None:
    rows = RejectionRows(per_minute=2)
    assert [rows.admit("10.0.0.9", t) for t in (0.0, 1.0, 2.0, 3.0, 4.0)] == [0, 0, None, None,
                                                                              None]
    assert rows.admit("10.0.0.8", 5.0) == 0  # per source
    assert rows.admit("10.0.0.9", 61.0) == 3  # a new minute: the three held are said
    assert rows.admit("10.0.0.9", 62.0) == 0
