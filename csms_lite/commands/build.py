"""Turn a version-neutral command (name + params) into the CALL for the charger's version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from csms_lite.commands import v16, v201
from csms_lite.commands.params import Command, Kind, check
from csms_lite.errors import InvalidCommand

if TYPE_CHECKING:  # the version records import this module
    from csms_lite.registry.store import Registry
    from csms_lite.versions import Version

# Every version declares each command (a builder may refuse one its version lacks).
COMMANDS: tuple[str, ...] = tuple(v16.COMMANDS)
_ALL: tuple[Mapping[str, Command], ...] = (v16.COMMANDS, v201.COMMANDS)


def build(command: str, params: dict[str, Any], version: Version, cp_id: str = "",
          registry: Registry | None = None) -> tuple[str, dict[str, Any]]:
    """(action, payload) for ``command`` to ``cp_id``; raises :class:`InvalidCommand` on bad
    params. A command built from the registry's facts (send_local_list) needs ``registry``."""
    if command not in COMMANDS:
        raise InvalidCommand(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    spec = version.commands[command]
    check(command, version.name, params, spec.params)
    try:
        if spec.resolve is not None and registry is not None:
            params = spec.resolve(params, cp_id, registry)
        return spec.build(params)
    except KeyError as exc:
        raise InvalidCommand(f"{command} needs the parameter {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidCommand(f"{command}: {exc}") from None


def param_kind(command: str, name: str) -> Kind | None:
    """The kind of ``command``'s parameter ``name`` in whichever version takes it (the same in
    all that do); None if no version does."""
    for commands in _ALL:
        for p in commands[command].params if command in commands else ():
            if p.name == name:
                return p.kind
    return None
