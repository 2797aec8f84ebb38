"""What a handler may use while it answers one CALL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from csms_lite.config import CsmsConfig
from csms_lite.registry.store import Registry
from csms_lite.state import ChargerState

Row = tuple[str, tuple[Any, ...]]


@dataclass(slots=True)
class CallContext:
    charger: ChargerState
    registry: Registry
    config: CsmsConfig
    node_id: str
    now: float  # server time the CALL arrived
    unique_id: str
    # Rows for other lake tables (meter values), written in the same journal write as the frame.
    rows: list[Row] = field(default_factory=list)


Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
