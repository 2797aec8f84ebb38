"""One exception hierarchy for the models package: every error a user can fix says how."""

from __future__ import annotations


class ModelError(Exception):
    """Base of the errors the models raise on purpose."""


class NotEnoughDataError(ModelError):
    """Too few rows or faults to train or evaluate on."""


class NoModelError(ModelError):
    """No trained model in the data folder yet."""


class TicketError(ModelError):
    """A maintenance ticket cannot be found, changed that way, or stored."""


class UnknownTicketError(TicketError):
    """No ticket has that id."""


class BadTransitionError(TicketError):
    """The lifecycle does not allow that change of state."""
