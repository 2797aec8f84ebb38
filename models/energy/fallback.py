"""The conservative default each charger falls back to: the equal share of every circuit with
every charger on the site busy at its rating, so the fallbacks together respect every limit."""

from __future__ import annotations

from models.energy.baselines import equal_share
from models.energy.sessions import OpenSession
from models.energy.site import Site


def fallback_kw(site: Site) -> dict[str, float]:
    everyone = [OpenSession(cid, cid, 1.0, c.max_kw) for cid, c in site.chargers.items()]
    return equal_share(site, everyone)
