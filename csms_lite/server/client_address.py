"""Who is on the other end of a connection, as the lake records it.

Behind a load balancer every charger's TCP peer is the balancer. HAProxy (``option
forwardfor``) and nginx append the address they saw to ``X-Forwarded-For``; that header is
believed only when the peer is a proxy the operator named (``--trusted-proxy``), since any
client can send it. The client is the rightmost address in the chain that is not itself a
trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from csms_lite.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.0/8``, ``127.0.0.1`` or ``::1`` each; a bad one is a ConfigError naming it."""
    out = []
    for spec in specs:
        try:
            out.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError:
            raise ConfigError(
                f"--trusted-proxy {spec!r} is not an IP address or network: give e.g. "
                "10.0.0.5 or 10.0.0.0/24 (the load balancer's address as the nodes see it)"
            ) from None
    return tuple(out)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(text: str, trusted: Sequence[Network]) -> bool:
    ip = _ip(text)
    return ip is not None and any(ip in net for net in trusted)


def client_address(
    peer: tuple[str, int] | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str | None:
    """``ip:port`` of the TCP peer, or the forwarded client's ``ip`` (its port is the proxy's
    secret) when the peer is a trusted proxy that said whom it forwards."""
    if not peer:
        return None
    direct = f"{peer[0]}:{peer[1]}"
    if not forwarded_for or not _trusted(peer[0], trusted):
        return direct
    chain = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if not chain or any(_ip(hop) is None for hop in chain):
        return direct  # garbled: keep what we know for sure
    for hop in reversed(chain):
        if not _trusted(hop, trusted):
            return str(_ip(hop))
    return str(_ip(chain[0]))
