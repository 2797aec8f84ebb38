"""The simulated network's shape: sites with locations and popularity, each with AC and DC
chargers (rated power, connectors, OCPP version, make and age). Drawn from the seed alone."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass

# Towns of Santa Barbara County, whose network's fault report calibrates the fault model.
TOWNS: tuple[tuple[str, float, float], ...] = (
    ("Santa Barbara", 34.4208, -119.6982), ("Goleta", 34.4358, -119.8276),
    ("Carpinteria", 34.3989, -119.5185), ("Lompoc", 34.6391, -120.4579),
    ("Santa Maria", 34.9530, -120.4357), ("Solvang", 34.5958, -120.1376),
    ("Buellton", 34.6136, -120.1927), ("Orcutt", 34.8650, -120.4360),
    ("Montecito", 34.4367, -119.6321), ("Guadalupe", 34.9716, -120.5718),
)
# Every town above is in California: the sites' local time (days, hours, time-of-use bands).
SITE_TIMEZONE = "America/Los_Angeles"
STREETS = ("State St", "Hollister Ave", "Calle Real", "Ocean Ave", "Broadway", "Main St",
           "Mission Dr", "Linden Ave", "Betteravia Rd", "Coast Village Rd")
VENUES = ("Library", "Transit Center", "Beach Lot", "Town Hall", "Market", "Park & Ride",
          "Community Center", "Harbor", "Plaza", "Civic Center")
AC_MAKES = (("Voltaris", "VX-AC22"), ("Brightline", "BL-L2-7"), ("Northwatt", "NW-11AC"))
DC_MAKES = (("Voltaris", "VX-DC150"), ("Ampera", "AMP-50"), ("Northwatt", "NW-HPC350"))
AC_KW = (7.4, 11.0, 19.2, 22.0)
DC_KW = (50.0, 62.5, 150.0, 350.0)


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    address: str
    latitude: float
    longitude: float
    popularity: float  # demand multiplier; the network's mean is 1
    timezone: str = SITE_TIMEZONE  # IANA name


@dataclass(frozen=True)
class Charger:
    id: str
    site: str
    kind: str  # "AC" or "DC"
    rated_kw: float
    connectors: int
    ocpp: str  # "1.6" or "2.0.1"
    vendor: str
    model: str
    installed_days_ago: int

    @property
    def subprotocol(self) -> str:
        return "ocpp1.6" if self.ocpp == "1.6" else "ocpp2.0.1"


@dataclass(frozen=True)
class Network:
    sites: tuple[Site, ...]
    chargers: tuple[Charger, ...]

    def to_json(self) -> str:
        return json.dumps({"sites": [asdict(s) for s in self.sites],
                           "chargers": [asdict(c) for c in self.chargers]}, indent=1)


def build_network(seed: int, sites: int, chargers: int, dc_share: float = 0.25,
                  v201_share: float = 0.4) -> Network:
    if sites < 1 or chargers < sites:
        raise ValueError(f"need at least one site and one charger per site, got {sites} sites "
                         f"and {chargers} chargers")
    rng = random.Random(f"network-{seed}")
    site_list = tuple(_site(rng, i) for i in range(sites))
    counts = _spread(rng, chargers, sites)
    fleet: list[Charger] = []
    for site, n in zip(site_list, counts, strict=True):
        n_dc = sum(rng.random() < dc_share for _ in range(n))
        fleet += [_charger(rng, site.id, "DC" if k < n_dc else "AC", k, v201_share)
                  for k in range(n)]
    return Network(site_list, tuple(fleet))


def _site(rng: random.Random, i: int) -> Site:
    town, lat, lon = TOWNS[i % len(TOWNS)]
    venue = VENUES[rng.randrange(len(VENUES))]
    return Site(
        id=f"S{i + 1:02d}", name=f"{town} {venue}",
        address=f"{rng.randint(10, 4999)} {STREETS[rng.randrange(len(STREETS))]}, {town}, CA",
        latitude=round(lat + rng.uniform(-0.02, 0.02), 5),
        longitude=round(lon + rng.uniform(-0.02, 0.02), 5),
        popularity=round(rng.lognormvariate(0.0, 0.6), 4))


def _spread(rng: random.Random, chargers: int, sites: int) -> list[int]:
    """Chargers per site: at least one each, the rest at random, independent of popularity, so
    some popular sites are short of ports (what site planning should find)."""
    counts = [1] * sites
    for _ in range(chargers - sites):
        counts[rng.randrange(sites)] += 1
    return counts


def _charger(rng: random.Random, site: str, kind: str, k: int, v201_share: float) -> Charger:
    vendor, model = (DC_MAKES if kind == "DC" else AC_MAKES)[rng.randrange(3)]
    kw = (DC_KW if kind == "DC" else AC_KW)[rng.randrange(4)]
    return Charger(id=f"{site}-{kind}{k + 1:02d}", site=site, kind=kind, rated_kw=kw,
                   connectors=1 if kind == "DC" and kw >= 150 else 2,
                   ocpp="2.0.1" if rng.random() < v201_share else "1.6",
                   vendor=vendor, model=model, installed_days_ago=rng.randint(30, 1800))
