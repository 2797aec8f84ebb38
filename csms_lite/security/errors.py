"""Errors of the CSMS's certificate authority."""

from __future__ import annotations

from csms_lite.errors import CsmsError


class CaError(CsmsError):
    """The CA is missing, unreadable or would be overwritten; the message says what to do."""


class CsrRefused(CsmsError):
    """A certificate signing request the CA will not sign; the message says why."""
