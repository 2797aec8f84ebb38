"""The dashboard's user store and sign-in throttle, without Streamlit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.throttle import FIRST_WAIT_S, FREE, MAX_WAIT_S, Throttle
from dashboard.users import User, UserStore, UserStoreError


def test_verify(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.json")
    assert not store.configured
    store.add("ann", "operator", "ann-password")
    store.add("sso@example.com", "viewer", None)
    ann = store.get("ann")
    assert ann is not None
    assert store.verify("ann", "ann-password") == User("ann", "operator", ann.password_hash)
    assert store.verify("ann", "wrong-password") is None
    assert store.verify("nobody", "ann-password") is None
    assert store.verify("sso@example.com", "") is None  # identity provider only: no password
    assert ann.may("viewer")
    assert not ann.may("admin")


def test_emptied_store_still_requires_sign_in(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.json")
    store.add("ann", "viewer", "ann-password")
    store.remove("ann")
    assert store.configured
    assert store.users() == {}


@pytest.mark.parametrize("text", ["not json", '{"users": [{"name": "a"}]}',
                                  '{"users": [{"name": "a", "role": "god"}]}', "[]"])
def test_unreadable_file_is_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "users.json"
    path.write_text(text)
    with pytest.raises(UserStoreError, match=r"users file .* is unreadable"):
        UserStore(path).users()


def test_throttle_doubles_then_caps_and_forgets_on_success() -> None:
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(FREE - 1):
        throttle.failed("user:ann", "client:1.2.3.4")
    assert throttle.wait_s("user:ann") == 0.0
    throttle.failed("user:ann", "client:1.2.3.4")
    assert throttle.wait_s("user:ann") == FIRST_WAIT_S
    assert throttle.wait_s("user:bob", "client:1.2.3.4") == FIRST_WAIT_S  # same address
    now[0] += FIRST_WAIT_S
    assert throttle.wait_s("user:ann") == 0.0
    throttle.failed("user:ann")
    assert throttle.wait_s("user:ann") == 2 * FIRST_WAIT_S
    for _ in range(40):
        throttle.failed("user:ann")
    assert throttle.wait_s("user:ann") == MAX_WAIT_S
    throttle.succeeded("user:ann")
    assert throttle.wait_s("user:ann") == 0.0
