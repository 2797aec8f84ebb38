"""SendLocalList: the local authorization list built from the tags registry, numbered with the
version tracked per charger (``Registry.next_local_list_version``).

The CSMS fills ``entries`` (version-neutral: ``id_tag``, ``status``, ``expiry``,
``parent_id_tag``; no status means "remove it", for a differential update) and ``version``
before the version's builder spells them out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from csms_lite.commands.params import Param
from csms_lite.timefmt import utc_iso

if TYPE_CHECKING:
    from csms_lite.registry.store import Registry

PARAMS = (
    Param("update_type", "text", required=True, choices=("full", "differential")),
    Param("tags", "texts", help="differential: the tags to send (not in the registry: "
                                "removed); full: default every tag"),
    Param("version", "int", help="at least this; default the charger's last list version + 1"),
    Param("entries", "objects", help="filled by the CSMS from the registry"),
)


def resolve(params: dict[str, Any], cp_id: str, registry: Registry) -> dict[str, Any]:
    """``params`` with ``entries`` (from the registry, each tag's status as at now) and
    ``version`` (the next for this charger, recorded as sent) filled in when not given."""
    out = dict(params)
    if out.get("update_type") == "differential" and not out.get("tags") and not out.get(
            "entries"):
        raise ValueError("a differential send_local_list needs tags (the ones to update)")
    if out.get("entries") is None:
        now = datetime.now(UTC)
        names = out.get("tags") or [t.id_tag for t in registry.list_id_tags()]
        out["entries"] = [_entry(name, registry, now) for name in names]
    out["version"] = registry.next_local_list_version(cp_id, out.get("version") or 0)
    return out


def _entry(name: str, registry: Registry, now: datetime) -> dict[str, Any]:
    tag = registry.get_id_tag(name, now)
    if tag is None:
        return {"id_tag": name}
    return {"id_tag": tag.id_tag, "status": tag.status, "parent_id_tag": tag.parent_id_tag,
            "expiry": None if tag.expiry is None else utc_iso(tag.expiry.timestamp())}


def update_type(p: dict[str, Any]) -> str:
    return "Full" if p["update_type"] == "full" else "Differential"
