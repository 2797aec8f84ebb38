"""Charge point and id tag registry of the CSMS, plus OCPP transaction ids (SQLite)."""

from csms_lite.registry.errors import (
    InvalidValueError,
    PasswordHashError,
    RegistryError,
    RegistryFileError,
)
from csms_lite.registry.models import BOOT_STATUSES, TAG_STATUSES, ChargePoint, IdTag
from csms_lite.registry.passwords import VerifiedCache, hash_password, verify_password
from csms_lite.registry.store import REGISTRY_FILENAME, Registry, registry_path

__all__ = [
    "BOOT_STATUSES",
    "REGISTRY_FILENAME",
    "TAG_STATUSES",
    "ChargePoint",
    "IdTag",
    "InvalidValueError",
    "PasswordHashError",
    "Registry",
    "RegistryError",
    "RegistryFileError",
    "VerifiedCache",
    "hash_password",
    "registry_path",
    "verify_password",
]
