"""Drivers' id tags, owned by partners (eMSPs and the CPO's own app). A few are unknown to the
CSMS, expired or blocked, as in any real network."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (partner, share of drivers); the CPO's own app is a partner like the others in reports.
PARTNERS: tuple[tuple[str, float], ...] = (
    ("EMSP-ROAMY", 0.35), ("EMSP-PLUGPAY", 0.25), ("EMSP-FLEETCO", 0.15), ("CPO-APP", 0.25))
UNKNOWN_SHARE, EXPIRED_SHARE, BLOCKED_SHARE = 0.02, 0.015, 0.005


@dataclass(frozen=True)
class Tag:
    id_tag: str
    partner: str | None  # None: the tag is unknown to the CSMS
    status: str  # what the CSMS should answer: Accepted, Expired, Blocked, Invalid
    expired_days_before_start: int | None = None  # Expired tags: expiry relative to the start


def build_tags(seed: int, drivers: int) -> tuple[Tag, ...]:
    rng = random.Random(f"tags-{seed}")
    names = [p for p, _ in PARTNERS]
    shares = [s for _, s in PARTNERS]
    tags = []
    for i in range(drivers):
        partner = rng.choices(names, shares)[0]
        tag_id = f"{partner.split('-')[1][:4]}{i:06d}{rng.randrange(16**4):04X}"
        roll = rng.random()
        if roll < UNKNOWN_SHARE:
            tags.append(Tag(tag_id, None, "Invalid"))
        elif roll < UNKNOWN_SHARE + EXPIRED_SHARE:
            tags.append(Tag(tag_id, partner, "Expired", rng.randint(1, 300)))
        elif roll < UNKNOWN_SHARE + EXPIRED_SHARE + BLOCKED_SHARE:
            tags.append(Tag(tag_id, partner, "Blocked"))
        else:
            tags.append(Tag(tag_id, partner, "Accepted"))
    return tuple(tags)
