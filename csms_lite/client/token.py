"""The bearer token: as given, else read from the file the CSMS writes it to. The caller names
that file (the CSMS owns where it lives), so the client needs no server code."""

from __future__ import annotations

from pathlib import Path

from csms_lite.client.errors import NoToken


def read_token(given: str | None, token_file: Path, hint: str) -> str:
    """``given`` if set, else the stripped content of ``token_file``; ``hint`` ends the error
    message (how to get a token)."""
    if given:
        return given
    if not token_file.is_file():
        raise NoToken(f"no API token: {hint}")
    return token_file.read_text().strip()
