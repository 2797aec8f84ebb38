"""The CSMS's exception hierarchy: one root, so callers can catch everything we raise."""

from __future__ import annotations


class CsmsError(Exception):
    """Root of every error csms_lite raises on purpose."""


class ConfigError(CsmsError):
    """A bad option or file; the message says what is wrong and how to fix it."""


class BrokerError(CsmsError):
    """The cluster broker (``--broker``) cannot be reached or used; the message names the URL
    and what to do."""


class CommandError(CsmsError):
    """A remote command could not be built or sent."""


class InvalidCommand(CommandError):
    pass
