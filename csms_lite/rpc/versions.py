"""The OCPP versions the CSMS speaks, keyed by WebSocket subprotocol."""

from __future__ import annotations

from typing import Final

SUBPROTOCOLS: Final[dict[str, str]] = {
    "ocpp2.0.1": "2.0.1",
    "ocpp1.6": "1.6",
    "ocpp2.1": "2.1",
}
"""Subprotocol -> version; in order of preference when a charger offers several."""


def is_v16(version: str) -> bool:
    return version == "1.6"
