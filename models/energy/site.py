"""A site's electrical model: the grid connection limit at the root and a tree of circuits
(site -> feeders -> ...) each with its own kW limit, and chargers hanging off circuits.

Every charger's power counts against its own circuit and every circuit above it up to the site's
root, so a feasible allocation keeps each circuit's sum within its limit. Limits are in kW of
active power (one figure per circuit; a per-phase model would need three rows per circuit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from models.energy.errors import SiteModelError


@dataclass(frozen=True)
class Circuit:
    id: str
    limit_kw: float
    parent: str | None  # None only for the site's root (the grid connection)


@dataclass(frozen=True)
class Charger:
    id: str
    circuit: str
    max_kw: float  # the charger's own rating


@dataclass(frozen=True)
class Site:
    id: str
    circuits: Mapping[str, Circuit]
    chargers: Mapping[str, Charger]
    _paths: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def root(self) -> Circuit:
        return next(c for c in self.circuits.values() if c.parent is None)

    def path(self, charger_id: str) -> tuple[str, ...]:
        """The circuits a charger's power flows through, its own first and the root last."""
        if charger_id not in self._paths:
            charger = self.chargers.get(charger_id)
            if charger is None:
                raise SiteModelError(f"site {self.id} has no charger {charger_id!r}")
            self._paths[charger_id] = _ancestors(self.circuits, charger.circuit)
        return self._paths[charger_id]


def _ancestors(circuits: Mapping[str, Circuit], start: str) -> tuple[str, ...]:
    out: list[str] = []
    at: str | None = start
    while at is not None:
        if at in out:
            raise SiteModelError(f"circuit {at!r} is its own ancestor: circuits must form a tree")
        if at not in circuits:
            raise SiteModelError(f"unknown circuit {at!r}")
        out.append(at)
        at = circuits[at].parent
    return tuple(out)


def build_site(
    site_id: str,
    grid_limit_kw: float,
    feeders: Mapping[str, tuple[str | None, float]] | None = None,
    chargers: Mapping[str, tuple[str | None, float]] | None = None,
) -> Site:
    """A checked site: ``feeders`` maps a circuit id to (parent or None for the root, limit kW);
    ``chargers`` maps a charger id to (circuit or None for the root, rated kW)."""
    circuits = {site_id: Circuit(site_id, float(grid_limit_kw), None)}
    for cid, (parent, limit) in (feeders or {}).items():
        if cid in circuits:
            raise SiteModelError(f"circuit id {cid!r} is used twice (the root is the site id)")
        circuits[cid] = Circuit(cid, float(limit), parent or site_id)
    for c in circuits.values():
        if not c.limit_kw >= 0:
            raise SiteModelError(f"circuit {c.id!r} has a negative limit ({c.limit_kw} kW)")
        _ancestors(circuits, c.id)
    slots = {}
    for ch_id, (circuit, max_kw) in (chargers or {}).items():
        slot = Charger(ch_id, circuit or site_id, float(max_kw))
        if slot.circuit not in circuits:
            raise SiteModelError(f"charger {ch_id!r} is on unknown circuit {slot.circuit!r}")
        if not slot.max_kw >= 0:
            raise SiteModelError(f"charger {ch_id!r} has a negative rating ({max_kw} kW)")
        slots[ch_id] = slot
    return Site(site_id, circuits, slots)
