"""The opening handshake on a live CSMS: who may connect (401/404, Basic auth and its cache), where
the charge point id comes from, subprotocol negotiation, and TLS (security profile 2)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from urllib.parse import quote

import orjson
import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from ingest.sim.link import basic_auth
from tests.conftest import PASSWORD, Csms, CsmsFactory
from tests.csms_lite.helpers.ocppj import (
    BOOT,
    SUBPROTOCOL,
    boot,
    call,
    events,
    heartbeat_ok,
    messages,
    open_ws,
    recv_json,
    wait_for,
)
from tests.csms_lite.helpers.rawws import RawWs

pytestmark = pytest.mark.timeout(10)


async def open_url(url: str, subprotocols: list[str] | None = None,
                   headers: dict[str, str] | None = None, **kw: object) -> ClientConnection:
    return await connect(url, subprotocols=subprotocols,  # type: ignore[arg-type]
                         additional_headers=headers, open_timeout=5, close_timeout=2, **kw)


async def connect_and_close(url: str, subprotocols: list[str] | None = None,
                            headers: dict[str, str] | None = None, **kw: object) -> None:
    ws = await open_url(url, subprotocols, headers, **kw)
    await ws.close()


async def refused(url: str, headers: dict[str, str] | None = None) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as info:
        await connect_and_close(url, ["ocpp1.6"], headers)
    return info.value


async def rejected_events(csms: Csms) -> pl.DataFrame:
    df = await events(csms)
    return df.filter(pl.col("event") == "rejected")


# -- who may connect ---------------------------------------------------------------------------


async def test_unknown_charger_gets_401(csms: Csms) -> None:
    """Like a known charger without credentials: the answer does not tell that the id is
    unknown (test_auth_throttle.py has the case with credentials); the lake does."""
    exc = await refused(f"{csms.url}/NOBODY")
    assert exc.response.status_code == 401
    assert bytes(exc.response.body) == b"unauthorized\n"
    rows = await rejected_events(csms)
    assert rows.height == 1
    row = rows.row(0, named=True)
    assert row["charge_point_id"] == "NOBODY"
    assert row["http_status"] == 401
    assert row["reason"] == "missing Basic credentials"
    assert row["remote_address"].startswith("127.0.0.1:")
    assert row["connection_id"] is None
    assert "NOBODY" not in csms.server.hub.connections


async def test_no_id_in_path_gets_404(csms: Csms) -> None:
    port = csms.server.port
    exc = await refused(f"ws://127.0.0.1:{port}/")
    assert exc.response.status_code == 404
    rows = await rejected_events(csms)
    assert rows["http_status"].to_list() == [404]
    assert rows["charge_point_id"].to_list() == [None]
    assert "no charge point id" in rows["reason"][0]


async def test_unknown_charger_accepted_when_configured(make_csms: CsmsFactory) -> None:
    csms = await make_csms(accept_unknown=True)
    ws = await open_ws(csms, "NEW-1", "2.0.1", password=None)
    try:
        reply = await boot(ws, "2.0.1")
        assert reply[2]["interval"] == csms.server.config.heartbeat_interval
        await heartbeat_ok(ws)
    finally:
        await ws.close()
    ev = await events(csms, "NEW-1")
    assert ev["event"].to_list()[0] == "connect"
    assert ev.filter(pl.col("event") == "rejected").height == 0


async def test_basic_auth(csms: Csms) -> None:
    csms.add_charger("CP1")
    url = f"{csms.url}/CP1"
    cache = csms.server.gate.cache

    no_creds = await refused(url)
    assert no_creds.response.status_code == 401
    assert no_creds.response.headers["WWW-Authenticate"].startswith("Basic ")
    assert cache.hashes_computed == 0  # nothing to check: no scrypt

    wrong_pw = await refused(url, basic_auth("CP1", "not-the-password"))
    assert wrong_pw.response.status_code == 401
    assert "WWW-Authenticate" in wrong_pw.response.headers

    wrong_user = await refused(url, basic_auth("CP2", PASSWORD))
    assert wrong_user.response.status_code == 401

    for header in ("Basic", "Basic !!!not-base64", "Basic " + "Q1Ax",  # "CP1", no colon
                   "Bearer abc", "basic"):
        bad = await refused(url, {"Authorization": header})
        assert bad.response.status_code == 401, header
    computed = cache.hashes_computed
    assert computed == 1  # only the wrong password ran scrypt

    ws = await open_ws(csms, "CP1", "1.6")
    await boot(ws, "1.6")
    await ws.close()
    assert cache.hashes_computed == computed + 1
    ws = await open_ws(csms, "CP1", "1.6")  # same password again: from the cache
    await heartbeat_ok(ws)
    await ws.close()
    assert cache.hashes_computed == computed + 1
    # a wrong password after a good one is still refused, and does not evict the good one
    assert (await refused(url, basic_auth("CP1", PASSWORD + "x"))).response.status_code == 401
    ws = await open_ws(csms, "CP1", "1.6")
    await ws.close()
    assert cache.hashes_computed == computed + 2

    rows = await rejected_events(csms)
    assert rows["http_status"].to_list() == [401] * 9
    assert set(rows["charge_point_id"].to_list()) == {"CP1"}
    reasons = rows["reason"].to_list()
    assert reasons[0] == "missing Basic credentials"
    assert reasons[1] == "wrong password"
    assert reasons[2] == "Basic user name is not the charge point id"
    connects = (await events(csms, "CP1")).filter(pl.col("event") == "connect")
    assert connects.height == 3


# -- the charge point id in the path ---------------------------------------------------------


@pytest.mark.parametrize("cp_id", ["CP1", "ü-ß#?%&+=", "CP%41", "x" * 48])
@pytest.mark.parametrize("prefix", ["/ocpp", "/any/prefix", "", "/ws/v2/ocpp"])
async def test_id_is_last_path_segment(csms: Csms, prefix: str, cp_id: str) -> None:
    csms.add_charger(cp_id, password=False)
    url = f"ws://127.0.0.1:{csms.server.port}{prefix}/{quote(cp_id, safe='')}"
    async with await open_url(url, ["ocpp1.6"]) as ws:
        await boot(ws, "1.6")
        assert cp_id in csms.server.hub.connections
        assert csms.server.hub.chargers[cp_id].boot == BOOT["1.6"]
    df = await messages(csms, cp_id)
    assert df.height == 2
    ev = await events(csms, cp_id)
    assert ev["event"].to_list()[0] == "connect"


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param("a%2Fb", id="slash"),
        pytest.param("CP%201", id="space"),
        pytest.param("CP%0A1", id="newline"),
        pytest.param("CP%001", id="nul"),
        pytest.param("CP%3A1", id="colon"),
        pytest.param("x" * 49, id="49-chars"),
    ],
)
async def test_accept_unknown_still_refuses_invalid_ids(
    make_csms: CsmsFactory, segment: str
) -> None:
    """accept_unknown skips the registry, not the rules on ids: an id that could never be
    registered (OCPP 2.0.1 identity: at most 48 printable characters, no ':' since it is the
    Basic-auth user name, no '/' since it is a path segment) must not reach the lake."""
    csms = await make_csms(accept_unknown=True)
    exc = await refused(f"{csms.url}/{segment}")
    assert exc.response.status_code in (400, 404)
    rows = await rejected_events(csms)
    assert rows.height == 1
    assert csms.server.hub.connections == {}


async def test_query_string_is_not_part_of_the_id(csms: Csms) -> None:
    csms.add_charger("CP1", password=False)
    url = f"ws://127.0.0.1:{csms.server.port}/ocpp/CP1?token=abc&x=/y"
    async with await open_url(url, ["ocpp2.0.1"]) as ws:
        await boot(ws, "2.0.1")
        assert "CP1" in csms.server.hub.connections


# -- subprotocols ------------------------------------------------------------------------------


@pytest.mark.parametrize("offered", [["ocpp1.5"], [], ["ocpp1.2", "json"]])
async def test_no_supported_subprotocol_closes_1002(csms: Csms, offered: list[str]) -> None:
    csms.add_charger("CP1", password=False)
    ws = await open_url(f"{csms.url}/CP1", offered or None)
    assert ws.subprotocol is None
    assert ws.response is not None
    assert "Sec-WebSocket-Protocol" not in ws.response.headers
    with pytest.raises(ConnectionClosed) as info:
        await recv_json(ws)
    assert info.value.rcvd is not None
    assert info.value.rcvd.code == 1002
    rows = await rejected_events(csms)
    assert rows.height == 1
    row = rows.row(0, named=True)
    assert row["charge_point_id"] == "CP1"
    assert row["close_code"] == 1002
    assert row["http_status"] is None
    assert "subprotocol" in row["reason"]
    assert "CP1" not in csms.server.hub.connections
    assert (await events(csms, "CP1")).filter(pl.col("event") == "connect").height == 0


async def test_no_subprotocol_raw_handshake(csms: Csms) -> None:
    """Seen on the wire: 101 without a Sec-WebSocket-Protocol header."""
    csms.add_charger("CP1", password=False)
    raw = await RawWs.open("127.0.0.1", csms.server.port, "/ocpp/CP1", ["ocpp1.5"])
    try:
        assert raw.status == 101
        assert "sec-websocket-protocol" not in raw.headers
        opcode, data = await raw.recv_frame()
        assert opcode == 0x8
        assert int.from_bytes(data[:2], "big") == 1002
    finally:
        raw.abort()


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["ocpp1.6"], "ocpp1.6"),
        (["ocpp2.0.1"], "ocpp2.0.1"),
        (["ocpp2.1"], "ocpp2.1"),
        (["ocpp1.6", "ocpp2.0.1"], "ocpp2.0.1"),
        (["ocpp2.0.1", "ocpp1.6"], "ocpp2.0.1"),
        (["ocpp1.5", "ocpp1.6"], "ocpp1.6"),
    ],
)
async def test_subprotocol_negotiation(csms: Csms, offered: list[str], chosen: str) -> None:
    csms.add_charger("CP1", password=False)
    version = {v: k for k, v in SUBPROTOCOL.items()}[chosen]
    async with await open_url(f"{csms.url}/CP1", offered) as ws:
        assert ws.subprotocol == chosen
        assert ws.response is not None
        assert ws.response.headers["Sec-WebSocket-Protocol"] == chosen
        await boot(ws, version)
        await heartbeat_ok(ws)
        assert csms.server.hub.chargers["CP1"].ocpp_version == version
    df = await messages(csms, "CP1")
    assert set(df["ocpp_version"].to_list()) == {version}
    assert df.filter(pl.col("error_code").is_not_null()).height == 0
    ev = await events(csms, "CP1")
    assert ev.filter(pl.col("event") == "connect")["subprotocol"].to_list() == [chosen]


# -- TLS (security profile 2) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=20,
    )
    return cert, key


async def test_tls_profile_2(make_csms: CsmsFactory, self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    csms = await make_csms(tls_cert=cert, tls_key=key)
    csms.add_charger("CP1")
    wss = f"wss://127.0.0.1:{csms.server.port}/ocpp/CP1"
    trust = ssl.create_default_context(cafile=str(cert))

    async with await open_url(wss, ["ocpp2.0.1"], basic_auth("CP1", PASSWORD),
                              ssl=trust) as ws:
        ssl_object = ws.transport.get_extra_info("ssl_object")
        assert ssl_object is not None
        assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
        await boot(ws, "2.0.1")
        reply = await call(ws, "Heartbeat", {})
        assert reply[0] == 3

    # still Basic auth over TLS
    with pytest.raises(InvalidStatus) as info:
        await open_url(wss, ["ocpp2.0.1"], ssl=trust)
    assert info.value.response.status_code == 401

    # plain ws:// to the TLS port does not get a WebSocket
    with pytest.raises((InvalidHandshake, OSError, EOFError, TimeoutError)):
        await connect_and_close(f"ws://127.0.0.1:{csms.server.port}/ocpp/CP1", ["ocpp2.0.1"],
                                basic_auth("CP1", PASSWORD))

    # an untrusted certificate is refused by a client that checks it
    with pytest.raises(ssl.SSLCertVerificationError):
        await open_url(wss, ["ocpp2.0.1"], basic_auth("CP1", PASSWORD),
                       ssl=ssl.create_default_context())

    # and the node still serves TLS clients afterwards
    async with await open_url(wss, ["ocpp1.6"], basic_auth("CP1", PASSWORD), ssl=trust) as ws:
        await heartbeat_ok(ws)

    async def logged() -> bool:
        ev = await events(csms, "CP1")
        return ev.filter(pl.col("event") == "disconnect").height == 2

    await wait_for(logged)
    ev = await events(csms, "CP1")
    assert ev.filter(pl.col("event") == "connect")["subprotocol"].to_list() == [
        "ocpp2.0.1", "ocpp1.6"]
    assert ev.filter(pl.col("event") == "rejected")["http_status"].to_list() == [401]
    df = await messages(csms, "CP1")
    assert df.height == 6
    assert orjson.loads(df["payload"][0]) == BOOT["2.0.1"]
