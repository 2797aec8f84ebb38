"""SQL rows <-> record dataclasses. Column order matches the dataclass field order."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from csms_lite.registry.db import Params, Row
from csms_lite.registry.models import ChargePoint, IdTag

CHARGE_POINT_COLUMNS = tuple(f.name for f in fields(ChargePoint))
ID_TAG_COLUMNS = tuple(f.name for f in fields(IdTag))


def charge_point_params(cp: ChargePoint) -> Params:
    return tuple(getattr(cp, name) for name in CHARGE_POINT_COLUMNS)


def charge_point_from_row(row: Row) -> ChargePoint:
    return ChargePoint(*row)


def id_tag_params(tag: IdTag) -> Params:
    expiry = tag.expiry.isoformat() if tag.expiry is not None else None
    return (tag.id_tag, tag.status, tag.partner, expiry, tag.parent_id_tag)


def id_tag_from_row(row: Row, status: str | None = None) -> IdTag:
    """Build an IdTag; `status` overrides the stored one (used for lookup-time expiry)."""
    tag_id, stored_status, partner, expiry_text, parent = row
    expiry = datetime.fromisoformat(expiry_text) if expiry_text is not None else None
    return IdTag(tag_id, status or stored_status, partner, expiry, parent)
