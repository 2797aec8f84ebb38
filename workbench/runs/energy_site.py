"""The registry's record of a site's electrical model as the allocator's ``Site``: chargers
take their rating from the charge point record (``rated_kw``), or ``default_kw`` without one."""

from __future__ import annotations

from csms_lite.registry import Registry
from csms_lite.registry.site_model import SiteModelRecord
from models.energy.errors import SiteModelError
from models.energy.site import Site, build_site

DEFAULT_CHARGER_KW = 7.2  # a common level-2 rating, for a charger whose record has no rated_kw


def energy_site(registry: Registry, site: str, default_kw: float = DEFAULT_CHARGER_KW) -> Site:
    record = registry.site_models.site_model(site)
    return site_from_record(record, {cp: _rating(registry, cp, default_kw)
                                     for cp in record.chargers})


def site_from_record(record: SiteModelRecord, ratings: dict[str, float]) -> Site:
    if record.grid_limit_kw is None:
        raise SiteModelError(f"site {record.site} has no grid limit: cpo sites set-limit "
                             f"{record.site} KW")
    return build_site(
        record.site, record.grid_limit_kw,
        feeders={c.id: (c.parent, c.limit_kw) for c in record.circuits},
        chargers={cp: (circuit, ratings[cp]) for cp, circuit in record.chargers.items()},
    )


def _rating(registry: Registry, cp_id: str, default_kw: float) -> float:
    cp = registry.get_charge_point(cp_id)
    return cp.rated_kw if cp is not None and cp.rated_kw else default_kw
