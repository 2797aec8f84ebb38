"""Password hashing and the verified-password cache."""

from __future__ import annotations

import pytest

from csms_lite.registry import PasswordHashError, VerifiedCache, hash_password, verify_password

PASSWORD = "correct-horse-battery"


def test_hash_verifies_only_the_right_password() -> None:
    encoded = hash_password(PASSWORD)
    assert encoded.startswith("scrypt$16384$8$1$")
    assert verify_password(PASSWORD, encoded)
    assert not verify_password("wrong-horse-battery", encoded)
    assert not verify_password("", encoded)


def test_hash_differs_per_salt() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password(PASSWORD, first)
    assert verify_password(PASSWORD, second)


def test_non_ascii_password_round_trips() -> None:
    assert verify_password("wachtwoord-ÿ€-ß", hash_password("wachtwoord-ÿ€-ß"))


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain",
        "bcrypt$1$2$3$YQ==$YQ==",
        "scrypt$16384$8$1$not base64!$YQ==",
        "scrypt$x$8$1$YQ==$YQ==",
        "scrypt$1000$8$1$YQ==$YQ==",  # n not a power of two
        "scrypt$1073741824$8$1$YQ==$YQ==",  # absurd cost from a tampered file
    ],
)
def test_malformed_hash_raises(encoded: str) -> None:
    with pytest.raises(PasswordHashError):
        verify_password(PASSWORD, encoded)


def test_cache_hit_avoids_rehash() -> None:
    cache, encoded = VerifiedCache(), hash_password(PASSWORD)
    assert not cache.is_cached("CP1", PASSWORD, encoded)
    assert cache.verify("CP1", PASSWORD, encoded)
    assert cache.hashes_computed == 1
    for _ in range(100):
        assert cache.verify("CP1", PASSWORD, encoded)
    assert cache.hashes_computed == 1
    assert cache.is_cached("CP1", PASSWORD, encoded)


def test_cache_never_accepts_a_wrong_password() -> None:
    cache, encoded = VerifiedCache(), hash_password(PASSWORD)
    assert cache.verify("CP1", PASSWORD, encoded)
    assert not cache.verify("CP1", "guess", encoded)
    assert not cache.is_cached("CP1", "guess", encoded)
    assert not cache.is_cached("CP2", PASSWORD, encoded)  # entries are per charge point
    assert cache.is_cached("CP1", PASSWORD, encoded)  # a failed guess does not evict


def test_cache_invalidated_when_stored_hash_changes() -> None:
    cache, old = VerifiedCache(), hash_password(PASSWORD)
    assert cache.verify("CP1", PASSWORD, old)
    new = hash_password("a-brand-new-password")
    assert not cache.is_cached("CP1", PASSWORD, new)
    assert not cache.verify("CP1", PASSWORD, new)  # old password no longer works
    assert cache.verify("CP1", "a-brand-new-password", new)
    assert cache.hashes_computed == 3
    assert not cache.is_cached("CP1", PASSWORD, old)  # replaced: one entry per charger


def test_cache_keeps_no_plain_password_and_forgets() -> None:
    cache, encoded = VerifiedCache(), hash_password(PASSWORD)
    cache.verify("CP1", PASSWORD, encoded)
    assert PASSWORD.encode() not in b"".join(cache._entries.values())
    cache.forget("CP1")
    assert not cache.is_cached("CP1", PASSWORD, encoded)


def test_cache_is_bounded() -> None:
    cache, encoded = VerifiedCache(max_entries=2), hash_password(PASSWORD)
    for cp_id in ("CP1", "CP2", "CP3"):
        assert cache.verify(cp_id, PASSWORD, encoded)
    assert not cache.is_cached("CP1", PASSWORD, encoded)
    assert cache.is_cached("CP3", PASSWORD, encoded)
