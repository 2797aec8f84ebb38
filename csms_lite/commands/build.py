"""Turn a version-neutral command (name + params) into the CALL for the charger's version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from csms_lite.errors import InvalidCommand

if TYPE_CHECKING:  # the version records import COMMANDS from here
    from csms_lite.versions import Version

Builder = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]

COMMANDS = (
    "reset", "remote_start", "remote_stop", "change_availability", "trigger_message",
    "unlock_connector", "get_configuration", "change_configuration", "clear_cache",
    "set_charging_profile", "rotate_password",
)


def build(command: str, params: dict[str, Any], version: Version) -> tuple[str, dict[str, Any]]:
    """(action, payload) for ``command``; raises :class:`InvalidCommand` on bad params."""
    if command not in COMMANDS:
        raise InvalidCommand(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    builder = version.commands[command]
    try:
        return builder(params)
    except KeyError as exc:
        raise InvalidCommand(f"{command} needs the parameter {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidCommand(f"{command}: {exc}") from None
