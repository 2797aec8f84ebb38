"""What the CSMS answers to the security-extension CALLs (1.6 whitepaper edition 3; 2.0.1
blocks A and N) and to 2.0.1 NotifyReport; merged into each version's handlers by
csms_lite.versions.

SignCertificate: the CSMS's own CA signs the CSR when its common name is the charger's id (a
charger gets a certificate for itself only), answers Accepted and then sends CertificateSigned
with the certificate; anything else is answered Rejected, and a CSR for another identity is
flagged. 1.6 LogStatusNotification and SignedFirmwareStatusNotification are tracked as their
plain counterparts (DiagnosticsStatus-, FirmwareStatusNotification) are."""

from __future__ import annotations

import logging
from typing import Any

from csms_lite.handlers import v201 as plain_v201
from csms_lite.handlers.context import CallContext, Handler
from csms_lite.security.ca import CertificateAuthority
from csms_lite.security.errors import CaError, CsrRefused
from csms_lite.security.state import SecurityEvent, SigningState
from csms_lite.server.log_budget import LogBudget

log = logging.getLogger(__name__)
_event_lines = LogBudget(log)  # one console line per security event, a flood summarised
Payload = dict[str, Any]


def security_event(ctx: CallContext, p: Payload) -> Payload:
    sec = ctx.charger.security
    sec.events.append(SecurityEvent(p["type"], p["timestamp"], p.get("techInfo"), ctx.now))
    sec.events_total += 1
    info = p.get("techInfo")
    _event_lines.info("security event from %s: %s%s", ctx.charger.charge_point_id, p["type"],
                      f" ({info})" if info else "")
    return {}


def _sign(ctx: CallContext, csr: str, certificate_type: str | None) -> str:
    """Accepted (CertificateSigned queued to follow the answer) or Rejected."""
    cp_id, sec = ctx.charger.charge_point_id, ctx.charger.security
    try:
        if certificate_type == "V2GCertificate":
            raise CaError("V2G certificates need a V2G PKI, which this CSMS does not reach")
        chain = CertificateAuthority.load(ctx.config.data_dir).sign_csr(csr, cp_id)
    except CsrRefused as exc:
        ctx.flags.append(f"SignCertificate refused: {exc}")
        sec.signing = SigningState("refused", ctx.now, certificate_type, str(exc))
        return "Rejected"
    except CaError as exc:
        log.warning("SignCertificate from %s refused: %s", cp_id, exc)
        sec.signing = SigningState("refused", ctx.now, certificate_type, str(exc))
        return "Rejected"
    payload: Payload = {"certificateChain": chain}
    if certificate_type is not None:
        payload["certificateType"] = certificate_type  # 2.0.1 A02.FR.14
    ctx.follow_ups.append(("CertificateSigned", payload, f"SignCertificate {ctx.unique_id}"))
    sec.signing = SigningState("signed", ctx.now, certificate_type)
    return "Accepted"


def sign_certificate_16(ctx: CallContext, p: Payload) -> Payload:
    return {"status": _sign(ctx, p["csr"], None)}


def sign_certificate_201(ctx: CallContext, p: Payload) -> Payload:
    return {"status": _sign(ctx, p["csr"], p.get("certificateType"))}


def notify_report(ctx: CallContext, p: Payload) -> Payload:
    """One part of a report (``tbc``: more follow): stored as the station's variables."""
    ctx.registry.variables.report(ctx.charger.charge_point_id, p.get("reportData") or [],
                                  p.get("requestId"), ctx.now)
    return {}


V16: dict[str, Handler] = {
    "SecurityEventNotification": security_event,
    "SignCertificate": sign_certificate_16,
    # the same payloads (status, requestId) as 2.0.1's notifications: the same handlers
    "LogStatusNotification": plain_v201.log_status_notification,
    "SignedFirmwareStatusNotification": plain_v201.firmware_status_notification,
}
V201: dict[str, Handler] = {
    "SecurityEventNotification": security_event,
    "SignCertificate": sign_certificate_201,
    "NotifyReport": notify_report,
}
