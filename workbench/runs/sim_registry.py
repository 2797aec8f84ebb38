"""Write a simulated network into the CSMS registry, so its chargers authenticate (security
profile 1) and its drivers' tags authorise as the simulation intends."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.passwords import hash_password
from csms_lite.registry.store import Registry
from ingest.sim.network import Network
from ingest.sim.tags import Tag


def passwords(network: Network, seed: int) -> dict[str, str]:
    """Deterministic per seed, so a re-run of the same network authenticates as before."""
    return {
        c.id: hashlib.sha256(f"sim-{seed}-{c.id}".encode()).hexdigest()[:24]
        for c in network.chargers
    }


def register_network(
    registry: Registry,
    network: Network,
    tags: tuple[Tag, ...],
    secrets: dict[str, str],
    heartbeat_s: int,
    start: float,
) -> None:
    sites = {s.id: s for s in network.sites}
    with ThreadPoolExecutor(2) as pool:  # scrypt releases the GIL: two hashes at once
        hashes = dict(zip(secrets, pool.map(hash_password, secrets.values()), strict=True))
    for c in network.chargers:
        site = sites[c.site]
        registry.add_charge_point(
            ChargePoint(
                id=c.id,
                site=c.site,
                connectors=c.connectors,
                rated_kw=c.rated_kw,
                model=c.model,
                vendor=c.vendor,
                heartbeat_interval=heartbeat_s,
                password_hash=hashes[c.id],
                latitude=site.latitude,
                longitude=site.longitude,
                address=site.address,
            )
        )
    begin = datetime.fromtimestamp(start, UTC)
    for t in tags:
        if t.partner is None:
            continue  # unknown to the CSMS: answered Invalid
        expiry = None
        if t.expired_days_before_start is not None:
            expiry = begin - timedelta(days=t.expired_days_before_start)
        status = "Blocked" if t.status == "Blocked" else "Accepted"
        registry.add_id_tag(IdTag(t.id_tag, status, t.partner, expiry))
