"""Register a replay's stations and id tags in the CSMS's registry before the replay connects
them (the replay driver in ``ingest`` never touches the CSMS's code)."""

from __future__ import annotations

from dataclasses import replace

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry
from ingest.replay.errors import ReplayError
from ingest.replay.fleet import MODEL, VENDOR
from ingest.replay.plan import Plan


def register(registry: Registry, plan: Plan, partner: str, heartbeat_interval_s: int) -> None:
    """Register the plan's stations (with their site and the replay's heartbeat interval, which
    the CSMS hands out at boot), their sites' time zones and id tags (owned by ``partner``).

    A station already registered keeps its record, with enough connectors for the replay and the
    replay's heartbeat interval (its stations heartbeat at it); one with a password is refused,
    since the replay connects without one.
    """
    for station, connectors in plan.connectors.items():
        known = registry.get_charge_point(station)
        if known is not None and known.password_hash is not None:
            raise ReplayError(
                f"station {station} is registered with a password in {registry.path}; replay "
                f"into another --data-dir, or run: cpo chargers remove {station}"
            )
        site = plan.sites.get(station)
        cp = (
            ChargePoint(id=station, site=site, connectors=connectors, model=MODEL, vendor=VENDOR,
                        heartbeat_interval=heartbeat_interval_s)
            if known is None
            else replace(
                known, site=known.site or site, connectors=max(known.connectors, connectors),
                heartbeat_interval=heartbeat_interval_s,
            )
        )
        registry.add_charge_point(cp)
    # A site's zone as the file (or --timezone) gives it, unless the registry already holds
    # one (set by the operator with `cpo chargers add --timezone`, or an earlier replay).
    zones = registry.site_timezones()
    for site, zone in plan.zones.items():
        if site not in zones:
            registry.set_site_timezone(site, zone)
    for tag in plan.tags:
        registry.add_id_tag(IdTag(tag, "Accepted", partner))
