"""Which address the lake's connection log records for a charger: the TCP peer, or, behind a
load balancer the operator trusts (``--trusted-proxy``), the client its X-Forwarded-For names.
Real connections on loopback, where the peer is 127.0.0.1."""

from __future__ import annotations

import ipaddress

import polars as pl
import pytest
from websockets.asyncio.client import connect

from csms_lite.errors import ConfigError
from csms_lite.server.client_address import client_address, parse_networks
from ingest.sim.link import basic_auth
from tests.conftest import PASSWORD, CsmsFactory
from tests.csms_lite.helpers.ocppj import events, wait_for

pytestmark = pytest.mark.timeout(15)
LB = parse_networks(["10.0.0.0/24"])


def test_untrusted_peer_keeps_its_own_address_whatever_it_claims() -> None:
    assert client_address(("198.51.100.9", 4242), "203.0.113.7", LB) == "198.51.100.9:4242"


def test_trusted_proxy_names_the_client() -> None:
    assert client_address(("10.0.0.2", 50000), "203.0.113.7", LB) == "203.0.113.7"


def test_client_spoofing_a_hop_before_the_proxy_is_not_believed() -> None:
    # the charger sent "X-Forwarded-For: 1.2.3.4"; the balancer appended the real address
    assert client_address(("10.0.0.2", 1), "1.2.3.4, 203.0.113.7", LB) == "203.0.113.7"


def test_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert client_address(("10.0.0.2", 1), "203.0.113.7, 10.0.0.9", LB) == "203.0.113.7"


def test_garbled_header_keeps_the_peer() -> None:
    assert client_address(("10.0.0.2", 1), "unknown, 203.0.113.7", LB) == "10.0.0.2:1"


def test_ipv6_forwarded_address() -> None:
    assert client_address(("10.0.0.2", 1), "[2001:db8::5]", LB) == "2001:db8::5"


def test_bad_network_is_a_config_error_that_says_how_to_fix_it() -> None:
    with pytest.raises(ConfigError, match=r"10\.0\.0\.0/24"):
        parse_networks(["lb.example"])
    assert parse_networks(["127.0.0.1"]) == (ipaddress.ip_network("127.0.0.1/32"),)


async def _remote_logged(make_csms: CsmsFactory, trusted: str, forwarded: str) -> str:
    csms = await make_csms(trusted_proxies=parse_networks([trusted]))
    csms.add_charger("CP-XFF")
    headers = {**basic_auth("CP-XFF", PASSWORD), "X-Forwarded-For": forwarded}
    async with connect(f"{csms.url}/CP-XFF", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                       additional_headers=headers, open_timeout=5, close_timeout=2):
        pass

    async def connected() -> bool:
        df = await events(csms, "CP-XFF")
        return df.filter(pl.col("event") == "connect").height == 1

    await wait_for(connected)
    df = await events(csms, "CP-XFF")
    remotes = set(df["remote_address"].drop_nulls())
    assert len(remotes) == 1, df.to_dicts()
    return remotes.pop()


async def test_live_node_logs_the_forwarded_address_of_a_trusted_proxy(
    make_csms: CsmsFactory,
) -> None:
    assert await _remote_logged(make_csms, "127.0.0.1", "203.0.113.7") == "203.0.113.7"


async def test_live_node_ignores_the_header_from_anyone_else(make_csms: CsmsFactory) -> None:
    remote = await _remote_logged(make_csms, "10.0.0.0/24", "203.0.113.7")
    assert remote.startswith("127.0.0.1:")
