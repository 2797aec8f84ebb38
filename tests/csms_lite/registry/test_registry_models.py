"""Validation of registry records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from csms_lite.registry import ChargePoint, IdTag, InvalidValueError


def test_charge_point_defaults() -> None:
    cp = ChargePoint("CP1")
    assert (cp.connectors, cp.boot_status, cp.heartbeat_interval) == (1, "Accepted", 300)
    assert cp.password_hash is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "CP 1"}, "id"),
        ({"id": "CP:1"}, "id"),
        ({"id": "x" * 49}, "id"),
        ({"connectors": 0}, "connectors"),
        ({"connectors": -2}, "connectors"),
        ({"boot_status": "accepted"}, "boot_status"),
        ({"heartbeat_interval": 0}, "heartbeat_interval"),
        ({"rated_kw": -1.0}, "rated_kw"),
        ({"rated_kw": float("nan")}, "rated_kw"),
        ({"latitude": 10.0}, "latitude"),
        ({"latitude": 91.0, "longitude": 0.0}, "latitude"),
        ({"latitude": 0.0, "longitude": 181.0}, "longitude"),
    ],
)
def test_bad_charge_point_fields(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"id": "CP1", **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        ChargePoint(**values)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id_tag": ""}, "id_tag"),
        ({"id_tag": "x" * 37}, "id_tag"),
        ({"status": "ConcurrentTx"}, "status"),
        ({"parent_id_tag": "a b"}, "parent_id_tag"),
        ({"expiry": datetime(2030, 1, 1)}, "expiry"),  # naive
    ],
)
def test_bad_id_tag_fields(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"id_tag": "TAG1", **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        IdTag(**values)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_expiry_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    tag = IdTag("TAG1", expiry=datetime(2030, 1, 1, 2, 0, tzinfo=plus_two))
    assert tag.expiry == datetime(2030, 1, 1, tzinfo=UTC)
    assert tag.expiry is not None
    assert tag.expiry.utcoffset() == timedelta(0)
