"""The API's bootstrap token: given (``--api-token-file`` or ``CPO_API_TOKEN``), or created
once in the data folder (mode 0600) so the CLI on the same machine can read it. It is the
registry's token named ``operator``, with every scope; other tokens come from ``cpo tokens``
or :func:`mint` (``cpo up`` and ``cpo demo`` mint one per part of the system)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from csms_lite.errors import ConfigError
from csms_lite.registry.store import Registry
from csms_lite.registry.tokens import SCOPES, new_secret
from ingest.data_folder import SECRET_MODE, DataFolder

BOOTSTRAP_NAME = "operator"
ALL_SCOPES = frozenset(SCOPES)
# The parts of the system `cpo up`/`cpo demo` start, each with its own token: the lake's
# requested_by tells them apart (the pipelines find self-healing's commands by its name).
SELF_HEALING, DASHBOARD = "self_healing", "dashboard"
SEND_COMMANDS = frozenset({"read", "command"})


def load_or_create(data_dir: Path, given: str | None) -> str:
    if given:
        return given
    DataFolder(data_dir).ensure()  # owner-only, before a secret goes in
    return _file_secret(DataFolder(data_dir).api_token_file)


def _file_secret(path: Path) -> str:
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_token_file(path, new_secret())
    return path.read_text().strip()


def write_token_file(path: Path, secret: str) -> None:
    """Owner-only from the first byte (no window where another user could read it)."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    tmp.replace(path)


def read_token_file(path: Path) -> str:
    """``--api-token-file``: the token is the file's first line."""
    try:
        secret = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the API token file {path}: {exc.strerror}") from None
    if not secret:
        raise ConfigError(f"the API token file {path} is empty")
    return secret


def bootstrap(registry: Registry, data_dir: Path, given: str | None) -> str:
    secret = load_or_create(data_dir, given)
    registry.tokens.ensure(BOOTSTRAP_NAME, secret, ALL_SCOPES, time.time())
    return secret


def part_token(registry: Registry, data_dir: Path, name: str) -> str:
    """The token of one part of the system (``SELF_HEALING``, ``DASHBOARD``): kept in
    ``<data>/tokens/<name>`` (0600) so every process of that part, and its restarts, share it;
    registered with read + command scopes unless it was revoked."""
    DataFolder(data_dir).ensure()
    secret = _file_secret(DataFolder(data_dir).part_token_file(name))
    registry.tokens.ensure(name, secret, SEND_COMMANDS, time.time())
    return secret


def mint(registry: Registry, name: str, scopes: frozenset[str]) -> str:
    """A fresh secret for ``name`` (created, or replacing its old secret)."""
    return registry.tokens.put(name, new_secret(), scopes, time.time())
