"""What a handler may use while it answers one CALL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csms_lite.state import ChargerState

if TYPE_CHECKING:  # annotations only: csms_lite.config imports the handlers (via versions)
    from csms_lite.config import CsmsConfig
    from csms_lite.registry.store import Registry


@dataclass(slots=True)
class CallContext:
    charger: ChargerState
    registry: Registry
    config: CsmsConfig
    now: float  # server time the CALL arrived
    unique_id: str
    # 1.6 StartTransaction on a cluster node: the id the broker allocated before the handler
    # ran (unique across nodes). None on a single node: the registry allocates it.
    transaction_id: int | None = None
    # What the handler found suspicious (a charger naming another's transaction, ...): the
    # connection logs each and records it as a ``flagged`` connection event.
    flags: list[str] = field(default_factory=list)
    # What a command achieved, learnt from this CALL (e.g. a firmware update installed):
    # (command id, result, detail), each written to the lake as an ``Outcome`` row.
    outcomes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    # CALLs the CSMS sends the charger once this CALL's answer is out (SignCertificate ->
    # CertificateSigned): (action, payload, reason), each a ``commands`` row by ``csms``.
    follow_ups: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
