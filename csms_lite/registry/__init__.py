"""Charge point and id tag registry of the CSMS, plus OCPP transaction ids (SQLite). Its file in
a data folder: ``ingest.data_folder.DataFolder(data_dir).registry_file``."""

from csms_lite.registry.errors import (
    InvalidValueError,
    PasswordHashError,
    RegistryError,
    RegistryFileError,
)
from csms_lite.registry.models import BOOT_STATUSES, TAG_STATUSES, ChargePoint, IdTag
from csms_lite.registry.passwords import VerifiedCache, hash_password, verify_password
from csms_lite.registry.store import Registry

__all__ = [
    "BOOT_STATUSES",
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
    "verify_password",
]
