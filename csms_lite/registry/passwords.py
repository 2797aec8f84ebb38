"""Charge point passwords (OCPP security profiles 1/2: HTTP basic auth).

Hashes are scrypt, encoded as "scrypt$n$r$p$salt_b64$hash_b64" so the cost can be raised later
without breaking stored hashes. One hash costs ~40 ms of CPU (hashlib releases the GIL, so run
cache misses in a thread: `await asyncio.to_thread(cache.verify, ...)`).

The dashboard hashes its users' passwords with this module too (one way to hash a secret), so
it stays a leaf: the standard library only at module level (tests/test_layering.py).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import threading

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
_MAX_N = 2**20  # refuse absurd costs from a tampered file instead of eating all memory
_MAXMEM = 256 * 1024 * 1024


def hash_password(password: str) -> str:
    """Hash with a fresh random salt; the same password never gives the same string twice."""
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    params = (str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P))
    return "$".join(("scrypt", *params, _b64(salt), _b64(digest)))


def verify_password(password: str, encoded: str) -> bool:
    """True if `password` matches `encoded`; raises PasswordHashError if `encoded` is malformed."""
    n, r, p, salt, expected = _decode(encoded)
    actual = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


@functools.cache
def dummy_hash() -> str:
    """A hash no password matches, for ids with none (unknown ones): checking a guess against it
    costs the same scrypt run as a real check, so the answer's timing does not tell them apart."""
    return hash_password(secrets.token_urlsafe(32))


class VerifiedCache:
    """Remembers passwords that verified, so a reconnecting charger costs no scrypt run.

    Each entry is HMAC(per-process random key, charge point id + stored hash + password): no
    plain password is kept, and a changed stored hash (new password set with the CLI) no longer
    matches, so the cache never outlives the password it vouches for. Only successes are kept,
    so a wrong guess cannot evict a good entry. One entry per charge point id.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self._key = os.urandom(32)
        self._entries: dict[str, bytes] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()  # verify() is meant to run in worker threads
        self.hashes_computed = 0  # scrypt runs done by this cache (for tests and metrics)

    def is_cached(self, charge_point_id: str, password: str, encoded: str) -> bool:
        """Cheap check (no scrypt): safe to call on the event loop."""
        with self._lock:
            entry = self._entries.get(charge_point_id)
        if entry is None:
            return False
        return hmac.compare_digest(entry, self._tag(charge_point_id, password, encoded))

    def verify(self, charge_point_id: str, password: str, encoded: str) -> bool:
        """Like verify_password, but answers from the cache when it can."""
        if self.is_cached(charge_point_id, password, encoded):
            return True
        with self._lock:
            self.hashes_computed += 1
        if not verify_password(password, encoded):
            return False
        self._remember(charge_point_id, self._tag(charge_point_id, password, encoded))
        return True

    def forget(self, charge_point_id: str) -> None:
        with self._lock:
            self._entries.pop(charge_point_id, None)

    def _remember(self, charge_point_id: str, tag: bytes) -> None:
        with self._lock:
            self._entries.pop(charge_point_id, None)
            if len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]  # oldest first (dict order)
            self._entries[charge_point_id] = tag

    def _tag(self, charge_point_id: str, password: str, encoded: str) -> bytes:
        # Length prefixes keep field boundaries unambiguous whatever the ids contain.
        parts = [s.encode("utf-8") for s in (charge_point_id, encoded, password)]
        message = b"".join(len(b).to_bytes(4, "big") + b for b in parts)
        return hmac.digest(self._key, message, "sha256")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_MAXMEM
    )


def _decode(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    from csms_lite.registry.errors import PasswordHashError  # here: the module stays a leaf

    fields = encoded.split("$")
    if len(fields) != 6 or fields[0] != "scrypt":
        raise PasswordHashError("password hash is not in 'scrypt$n$r$p$salt$hash' format")
    try:
        n, r, p = int(fields[1]), int(fields[2]), int(fields[3])
        salt = base64.b64decode(fields[4], validate=True)
        digest = base64.b64decode(fields[5], validate=True)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise PasswordHashError(f"password hash has a malformed field: {exc}") from exc
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 64 and 1 <= p <= 16 and digest):
        raise PasswordHashError("password hash has out-of-range scrypt parameters")
    return n, r, p, salt, digest


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
