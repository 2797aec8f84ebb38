"""The dashboard's users: name, role and scrypt password hash, in one JSON file of the data
folder (``DataFolder.dashboard_users``, mode 0600), edited by ``cpo users`` and the admin page.

A file, not the registry: the dashboard may not open the CSMS's registry (DESIGN.md), and its
users are the dashboard's own fact. Each change rewrites the file whole (a temporary file, then
a rename), so a reader never sees half of one. A user without a password hash signs in only
through the identity provider (OIDC, ``st.login``), by the name it gives (its e-mail)."""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Final

from csms_lite.registry.passwords import hash_password, verify_password

ROLES: Final = ("viewer", "operator", "admin")  # each may do what the ones before it may
MIN_PASSWORD = 10
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")


@cache
def _decoy() -> str:
    """Verified against when the name is unknown, so a wrong name costs the scrypt a wrong
    password does and the time taken does not tell which names exist."""
    return hash_password(secrets.token_urlsafe(16))


class UserStoreError(Exception):
    """A refused change or an unreadable users file; its text is one line for the operator."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str | None = None  # None: identity provider only

    def may(self, role: str) -> bool:
        """True when this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserStoreError(f"invalid user name {name!r}: 1-64 of letters, digits and ._@+- "
                             "(an e-mail address is fine), starting with a letter or digit")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserStoreError(f"invalid role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserStoreError(f"password too short: at least {MIN_PASSWORD} characters")
    return password


class UserStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def configured(self) -> bool:
        """True once the file exists, even emptied: from then on sign-in is required."""
        return self.path.exists()

    def users(self) -> dict[str, User]:
        if not self.path.exists():
            return {}
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))["users"]
            found = [User(str(r["name"]), check_role(str(r["role"])), r.get("password_hash"))
                     for r in rows]
        except (OSError, ValueError, KeyError, TypeError, UserStoreError) as exc:
            raise UserStoreError(f"users file {self.path} is unreadable ({exc}); fix or "
                                 "remove it") from None
        return {u.name: u for u in found}

    def get(self, name: str) -> User | None:
        return self.users().get(name)

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs; None for a wrong name or password."""
        user = self.get(name)
        encoded = user.password_hash if user and user.password_hash else _decoy()
        matches = verify_password(password, encoded)
        return user if matches and user is not None and user.password_hash else None

    def add(self, name: str, role: str, password: str | None) -> User:
        """A new user; ``password`` None: one who signs in through the identity provider."""
        users = self.users()
        if check_name(name) in users:
            raise UserStoreError(f"user {name!r} exists: use `cpo users passwd` or remove it")
        user = User(name, check_role(role),
                    None if password is None else hash_password(check_password(password)))
        self._save({**users, name: user})
        return user

    def set_password(self, name: str, password: str) -> None:
        user = self._existing(name)
        self._save({**self.users(), name: User(name, user.role,
                                               hash_password(check_password(password)))})

    def set_role(self, name: str, role: str) -> None:
        users = self.users()
        user = self._existing(name)
        self._keep_an_admin({**users, name: User(name, check_role(role), user.password_hash)})

    def remove(self, name: str) -> None:
        self._existing(name)
        self._keep_an_admin({n: u for n, u in self.users().items() if n != name})

    def _existing(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise UserStoreError(f"no user {name!r} (cpo users list)")
        return user

    def _keep_an_admin(self, users: dict[str, User]) -> None:
        # Nobody could manage users from the dashboard any more; the CLI still could, but
        # removing the last admin is far more often a slip than a wish.
        if any(u.role == "admin" for u in self.users().values()) and not any(
            u.role == "admin" for u in users.values()
        ):
            raise UserStoreError("that would leave no admin: add another admin first")
        self._save(users)

    def _save(self, users: dict[str, User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"users": [asdict(u) for u in users.values()]}, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        os.chmod(self.path, 0o600)
