"""What the CSMS API client raises: one root under :class:`csms_lite.errors.CsmsError`, so the
``cpo`` command's one-line error handling covers it, and callers can catch the client alone."""

from __future__ import annotations

from typing import Any

from csms_lite.errors import CsmsError


class ClientError(CsmsError):
    """Root of everything the CSMS API client raises; the message says what to do."""


class NoToken(ClientError):
    """No bearer token was given and none is stored where the CSMS writes it."""


class Unreachable(ClientError):
    """No HTTP answer: connection refused, bad URL, or no answer within the timeout."""


class Refused(ClientError):
    """The API answered with a status the request does not expect (401 wrong token, 404
    unknown charger, 500, ...); ``body`` is the decoded JSON it sent."""

    def __init__(self, status: int, message: str, body: Any, request: str) -> None:
        super().__init__(f"CSMS API answered {status} to {request}: {message}")
        self.status, self.message, self.body = status, message, body


class BadAnswer(ClientError):
    """The API answered 200 with something that is not the documented shape."""
