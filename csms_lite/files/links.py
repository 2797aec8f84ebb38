"""Signed links: a token in the URL that says which charger may fetch or upload what, until
when. Nothing is stored per link (an HMAC with the data folder's key proves it), so a link
outlives a restart of the CSMS, and a charger that retries a day later still gets in.

A token is ``<body>.<signature>``: the body base64url JSON ``[purpose, charger, name, expiry,
nonce]``; the signature the first 128 bits of its HMAC-SHA256, hex."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from csms_lite.files.errors import FileRefused
from ingest.data_folder import secret_file

KEY_BYTES = 32
SIGNATURE_HEX = 32
PURPOSES = ("firmware", "upload")


@dataclass(frozen=True)
class Link:
    purpose: str  # firmware (a download) or upload
    charge_point_id: str
    name: str  # firmware: the image's file name; upload: ""
    expires_at: int  # epoch seconds
    nonce: str  # tells two links of the same charger apart (the job it belongs to)


def load_key(path: Path) -> bytes:
    """The signing key at ``path``, created (0600) on first use."""
    text = path.read_text().strip() if path.exists() else ""
    if len(text) != 2 * KEY_BYTES:
        secret_file(path)
        text = secrets.token_hex(KEY_BYTES)
        path.write_text(text + "\n")
    return bytes.fromhex(text)


class Links:
    def __init__(self, key_file: Path) -> None:
        self._key_file = key_file
        self._key: bytes | None = None  # read on first use: a CSMS that never links writes none

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = load_key(self._key_file)
        return self._key

    def mint(self, purpose: str, cp_id: str, name: str, expires_at: float) -> str:
        fields = [purpose, cp_id, name, int(expires_at), secrets.token_hex(6)]
        body = base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def check(self, token: str, purpose: str, now: float) -> Link:
        """The link ``token`` stands for; :class:`FileRefused` (403) unless it is ours, for
        ``purpose``, and not expired."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            raise FileRefused(403, "this link was not issued by this CSMS (or was altered)")
        link = _decode(body)
        if link.purpose != purpose:
            raise FileRefused(403, f"this link is for {link.purpose}, not {purpose}")
        if link.expires_at < now:
            raise FileRefused(403, "this link expired: ask the CSMS for a new command")
        return link

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def _decode(body: str) -> Link:
    try:
        fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        purpose, cp_id, name, expires_at, nonce = fields
        return Link(str(purpose), str(cp_id), str(name), int(expires_at), str(nonce))
    except (binascii.Error, ValueError, TypeError) as exc:  # signed but unreadable: a bug
        raise FileRefused(403, f"unreadable link: {exc}") from None


def nonce_of(url: str) -> str | None:
    """The nonce of the link inside a URL we built, or None (a location elsewhere)."""
    for part in url.split("/"):
        body, dot, signature = part.partition(".")
        if dot and len(signature) == SIGNATURE_HEX:
            try:
                return _decode(body).nonce
            except FileRefused:
                return None
    return None
