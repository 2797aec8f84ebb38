"""Opening a charge point's WebSocket to a CSMS, with security profile 1 Basic auth."""

from __future__ import annotations

import base64
import contextlib
import ssl
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


def basic_auth(cp_id: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{cp_id}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def open_link(
    url: str, cp_id: str, subprotocol: str, password: str | None = None,
    ssl_context: ssl.SSLContext | None = None, **kwargs: Any,
) -> ClientConnection:
    """Connect to ``<url>/<cp_id>`` offering one OCPP subprotocol."""
    headers = basic_auth(cp_id, password) if password is not None else None
    return await connect(
        f"{url.rstrip('/')}/{cp_id}", subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers=headers, ssl=ssl_context, open_timeout=10, **kwargs,
    )


async def listen(charge_point: Any) -> None:
    """Run a charge point's receive loop until its socket closes, whoever closed it."""
    with contextlib.suppress(ConnectionClosed):
        await charge_point.start()
