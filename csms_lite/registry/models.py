"""Registry records: what the CSMS knows about a charge point and an id tag."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csms_lite.registry.errors import InvalidValueError

BOOT_STATUSES = ("Accepted", "Pending", "Rejected")  # OCPP 1.6 RegistrationStatus
TAG_STATUSES = ("Accepted", "Blocked", "Expired", "Invalid")  # storable AuthorizationStatus
DEFAULT_HEARTBEAT_INTERVAL = 300
MAX_CHARGE_POINT_ID = 48  # OCPP 2.0.1 identity limit; 1.6 has none, so use the stricter one
MAX_ID_TAG = 36  # OCPP 2.0.1 IdToken; 1.6 CiString20 tags fit too


@dataclass(frozen=True)
class ChargePoint:
    id: str
    site: str | None = None
    connectors: int = 1
    rated_kw: float | None = None
    model: str | None = None
    vendor: str | None = None
    boot_status: str = "Accepted"  # what BootNotification answers
    heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL  # seconds
    password_hash: str | None = None  # None: no password (security profile 0 / TLS-only)
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        check_charge_point_id(self.id)
        _check_choice("boot_status", self.boot_status, BOOT_STATUSES)
        _check_positive_int("connectors", self.connectors)
        _check_positive_int("heartbeat_interval", self.heartbeat_interval)
        _check_rated_kw(self.rated_kw)
        _check_location(self.latitude, self.longitude)


@dataclass(frozen=True)
class IdTag:
    id_tag: str
    status: str = "Accepted"  # OCPP 1.6 AuthorizationStatus
    partner: str | None = None  # owning eMSP / partner id
    expiry: datetime | None = None  # UTC; past expiry -> Expired at lookup
    parent_id_tag: str | None = None

    def __post_init__(self) -> None:
        _check_token("id_tag", self.id_tag, MAX_ID_TAG)
        _check_choice("status", self.status, TAG_STATUSES)
        if self.parent_id_tag is not None:
            _check_token("parent_id_tag", self.parent_id_tag, MAX_ID_TAG)
        if self.expiry is not None:
            if self.expiry.tzinfo is None:
                raise InvalidValueError("expiry", "must carry a timezone (use UTC, e.g. ...Z)")
            # Normalise so equality and storage never depend on the caller's offset.
            object.__setattr__(self, "expiry", self.expiry.astimezone(UTC))


def check_timezone(value: str) -> None:
    """An IANA time zone name (e.g. America/Los_Angeles): a site's local time."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(
            "timezone", f"unknown time zone {value!r}; give an IANA name such as "
            "America/Los_Angeles or Europe/Berlin"
        ) from None


def check_charge_point_id(value: str) -> None:
    _check_token("id", value, MAX_CHARGE_POINT_ID)
    # The id is the HTTP basic-auth user name and a URL path segment.
    if ":" in value or "/" in value:
        raise InvalidValueError("id", f"must not contain ':' or '/', got {value!r}")


def _check_token(field: str, value: str, max_len: int) -> None:
    if not value or len(value) > max_len:
        raise InvalidValueError(field, f"must be 1 to {max_len} characters, got {value!r}")
    if not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidValueError(field, f"must not contain spaces or control characters: {value!r}")


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidValueError(field, f"must be one of {', '.join(choices)}, got {value!r}")


def _check_positive_int(field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(field, f"must be a whole number of at least 1, got {value!r}")


def _check_rated_kw(value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InvalidValueError("rated_kw", f"must be a positive number of kW, got {value}")


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidValueError("latitude", "latitude and longitude must be given together")
    if latitude is not None and not -90.0 <= latitude <= 90.0:
        raise InvalidValueError("latitude", f"must be between -90 and 90, got {latitude}")
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        raise InvalidValueError("longitude", f"must be between -180 and 180, got {longitude}")


class StopOutcome(enum.Enum):
    """What a StopTransaction did to the registry."""

    STOPPED = "stopped"  # the charge point's own transaction (a retried stop too)
    UNKNOWN = "unknown"  # no such id here (a cluster peer's, or a charger's invention)
    FOREIGN = "foreign"  # another charge point's transaction: left untouched, flagged
