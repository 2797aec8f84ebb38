"""Server-side TLS contexts, for the OCPP WebSocket (wss://) and the HTTP API (https://)."""

from __future__ import annotations

import ssl
from pathlib import Path

from csms_lite.errors import ConfigError


def server_context(cert: Path | None, key: Path | None, flags: str,
                   client_ca: Path | None = None) -> ssl.SSLContext | None:
    """None when neither is given; ``flags`` names the two options in error messages. With
    ``client_ca`` a client may show a certificate, which must be signed by that CA alone."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ConfigError(f"TLS needs both {flags}")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # OCPP security profile 2 minimum
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load TLS certificate/key ({flags}): {exc}") from None
    if client_ca is not None:
        try:  # only this CA: the context loads no system CAs for client certificates
            ctx.load_verify_locations(cafile=client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load the client CA (--tls-client-ca): {exc}") from None
        ctx.verify_mode = ssl.CERT_OPTIONAL  # no certificate: Basic auth decides
    return ctx
