"""What the CSMS keeps live of a charger's security: its latest security events and how its
last certificate signing request went. The lake holds every SecurityEventNotification frame
(``ocpp_messages``), so this is only the recent view the API serves."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

KEEP_EVENTS = 50  # per charger, newest last


@dataclass(slots=True)
class SecurityEvent:
    type: str
    timestamp: str  # the charger's clock, as it sent it
    tech_info: str | None
    received_at: float  # server time

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "timestamp": self.timestamp, "tech_info": self.tech_info,
                "received_at": self.received_at}


@dataclass(slots=True)
class SigningState:
    """The charger's last SignCertificate: ``signed`` (a CertificateSigned follows) or
    ``refused`` with the reason."""

    status: str
    at: float
    certificate_type: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "at": self.at, "certificate_type": self.certificate_type,
                "reason": self.reason}


@dataclass(slots=True)
class SecurityState:
    events: deque[SecurityEvent] = field(default_factory=lambda: deque(maxlen=KEEP_EVENTS))
    events_total: int = 0  # since this node first saw the charger
    signing: SigningState | None = None

    def to_json(self) -> dict[str, Any]:
        return {"events": [e.to_json() for e in self.events], "events_total": self.events_total,
                "certificate_signing": self.signing.to_json() if self.signing else None}
