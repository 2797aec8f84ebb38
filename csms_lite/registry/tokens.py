"""API bearer tokens: a name, scopes, and only the SHA-256 of the secret.

Secrets are 256-bit random strings, so a plain SHA-256 is enough (no salt or slow hash: there
is nothing to brute-force) and lets every request find its token with one indexed lookup.
Every use is counted (``use_count``, ``last_used_at``), so an audit can tell which token did what.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from csms_lite.registry.db import Database, Row
from csms_lite.registry.errors import InvalidValueError

SCOPES = ("read", "command", "admin")  # read endpoints / commands and outcomes / token admin
TOKEN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
PREFIX = "cpo_"  # lets secret scanners recognise a leaked token
_COLS = "name, scopes, created_at, revoked_at, last_used_at, use_count"


@dataclass(frozen=True)
class ApiToken:
    name: str
    scopes: frozenset[str]
    created_at: float
    revoked_at: float | None = None
    last_used_at: float | None = None
    use_count: int = 0

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def check_name(name: str) -> None:
    if not TOKEN_NAME.fullmatch(name):
        raise InvalidValueError("name", "a token name is 1 to 40 letters, digits, '_', '.' or "
                                f"'-', got {name!r}")


def check_scopes(scopes: frozenset[str]) -> None:
    unknown = sorted(scopes - set(SCOPES))
    if not scopes or unknown:
        raise InvalidValueError("scope", f"give one or more of {', '.join(SCOPES)}"
                                + (f" (unknown: {', '.join(unknown)})" if unknown else ""))


def _token(row: Row) -> ApiToken:
    name, scopes, created, revoked, last_used, uses = row
    return ApiToken(str(name), frozenset(str(scopes).split()), float(created),
                    revoked, last_used, int(uses))


class TokenStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, name: str, scopes: frozenset[str], now: float) -> str:
        """A new token; returns its secret (shown once: only its hash is stored)."""
        check_name(name)
        check_scopes(scopes)
        if self.get(name) is not None:
            raise InvalidValueError("name", f"a token named {name!r} exists; rotate or revoke it")
        secret = new_secret()
        self._db.change("INSERT INTO api_tokens (name, token_hash, scopes, created_at) "
                        "VALUES (?, ?, ?, ?)", (name, hash_token(secret), _text(scopes), now))
        return secret

    def put(self, name: str, secret: str, scopes: frozenset[str], now: float) -> str:
        """Create ``name`` with this secret, or give it this secret and scopes (revived). Used
        by ``cpo up``/``cpo demo`` to mint the tokens their parts need."""
        check_name(name)
        check_scopes(scopes)
        self._db.change(
            "INSERT INTO api_tokens (name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, "
            "scopes = excluded.scopes, created_at = excluded.created_at, revoked_at = NULL",
            (name, hash_token(secret), _text(scopes), now))
        return secret

    def ensure(self, name: str, secret: str, scopes: frozenset[str], now: float) -> None:
        """The bootstrap token: registered if new or its secret changed. A revoked token
        whose secret is unchanged stays revoked (a restart must not undo a revocation)."""
        row = self._db.one("SELECT token_hash FROM api_tokens WHERE name = ?", (name,))
        if row is None or row[0] != hash_token(secret):
            self.put(name, secret, scopes, now)

    def rotate(self, name: str, now: float) -> str:
        """A new secret for ``name`` (scopes kept, un-revoked); the old secret stops working."""
        token = self.get(name)
        if token is None:
            raise InvalidValueError("name", f"no token named {name!r}")
        return self.put(name, new_secret(), token.scopes, now)

    def revoke(self, name: str, now: float) -> bool:
        return self._db.change("UPDATE api_tokens SET revoked_at = ? WHERE name = ? "
                               "AND revoked_at IS NULL", (now, name)) > 0

    def get(self, name: str) -> ApiToken | None:
        row = self._db.one(f"SELECT {_COLS} FROM api_tokens WHERE name = ?", (name,))
        return _token(row) if row is not None else None

    def find(self, secret: str) -> ApiToken | None:
        """The token with this secret (revoked ones too: the caller says why it refuses)."""
        row = self._db.one(f"SELECT {_COLS} FROM api_tokens WHERE token_hash = ?",
                           (hash_token(secret),))
        return _token(row) if row is not None else None

    def list(self) -> list[ApiToken]:
        return [_token(r) for r in self._db.all(f"SELECT {_COLS} FROM api_tokens ORDER BY name")]

    def record_uses(self, uses: dict[str, tuple[int, float]]) -> None:
        """name -> (uses since the last call, last use): batched, so a request costs no fsync."""
        for name, (count, last) in uses.items():
            self._db.change("UPDATE api_tokens SET use_count = use_count + ?, "
                            "last_used_at = max(coalesce(last_used_at, 0), ?) WHERE name = ?",
                            (count, last, name))


def _text(scopes: frozenset[str]) -> str:
    return " ".join(s for s in SCOPES if s in scopes)
