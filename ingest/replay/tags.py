"""Stable OCPP id tags for a file's users."""

from __future__ import annotations

import hashlib

ANONYMOUS_TAG = "REPLAY-GUEST"  # sessions whose file gives no user (ACN: ad-hoc drivers)


def id_tag(user: str | None) -> str:
    """The same user always gets the same tag: 'U' + 16 hex digits of a hash of the id.

    Hashed, so any user id (long, with spaces, personal) fits the OCPP 1.6 idTag (20 characters).
    """
    if user is None or not user.strip():
        return ANONYMOUS_TAG
    return "U" + hashlib.blake2b(user.strip().encode(), digest_size=8).hexdigest().upper()
