"""Security profile 3: a charger identified by its TLS client certificate.

With ``--tls-client-ca`` the wss:// endpoint asks every charger for a certificate and lets the
TLS layer verify it against that CA only (a certificate from any other CA fails the TLS
handshake). A verified certificate must name the charge point id of the URL as its subject's
common name; it then replaces Basic auth. A charger without one falls back to Basic auth
(security profile 2), unless ``--require-client-cert`` refuses it."""

from __future__ import annotations

from typing import Any

from csms_lite.errors import ConfigError


def check_options(tls_on: bool, client_ca: object, required: bool) -> None:
    if client_ca is not None and not tls_on:
        raise ConfigError("--tls-client-ca needs --tls-cert and --tls-key (wss://)")
    if required and client_ca is None:
        raise ConfigError("--require-client-cert needs --tls-client-ca")


def peer_common_name(conn: Any) -> str | None:
    """The subject common name of the charger's verified certificate: None when it showed
    none (or the link is not TLS), ``""`` when the certificate has no common name."""
    transport = getattr(conn, "transport", None)
    cert = transport.get_extra_info("peercert") if transport is not None else None
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return ""


def identity(client_cn: str | None, cp_id: str, required: bool) -> tuple[bool, str | None]:
    """(identified by its certificate, why it is refused): a certificate must be the charger's
    own; no certificate is refused only when one is required."""
    if client_cn is None:
        return False, ("no client certificate (security profile 3 required)" if required
                       else None)
    if client_cn != cp_id:
        return False, (f"client certificate is for {client_cn or '(no common name)'!r}, not "
                       f"{cp_id!r}")
    return True, None
