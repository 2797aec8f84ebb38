"""Exceptions raised by the registry. Catch `RegistryError` to handle them all."""

from __future__ import annotations

from pathlib import Path


class RegistryError(Exception):
    """Root of every error the registry raises on purpose."""


class InvalidValueError(RegistryError, ValueError):
    """A record field has a value the registry refuses to store."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid {field}: {problem}")
        self.field = field  # lets a CLI name the option that carries this field
        self.problem = problem


class PasswordHashError(RegistryError, ValueError):
    """A stored password hash is not in the `scrypt$n$r$p$salt$hash` format."""


class RegistryFileError(RegistryError):
    """The registry file cannot be opened, read, written or understood."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        super().__init__(f"registry file {path}: {problem}. {fix}")
        self.path = path
