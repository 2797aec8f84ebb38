"""Typed parameters of the version-neutral commands: each version declares what a command takes,
and the parameters are checked against that before a builder sees them (a text ``"false"`` for a
boolean would otherwise read as true, a text key for a list would be split into letters).

The same name has the same kind in every version that takes it (tested), so a caller that does not
know the charger's version (``cpo command``) can turn command-line text into the right type."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from csms_lite.errors import InvalidCommand

if TYPE_CHECKING:
    from csms_lite.registry.store import Registry

Kind = Literal["int", "text", "bool", "texts", "object", "objects", "id", "value"]

# What each kind accepts, for the error message.
_SPELLED: dict[str, str] = {
    "int": "a whole number", "text": "text", "bool": "true or false",
    "texts": "a list of text", "object": "a JSON object", "objects": "a list of JSON objects",
    "id": "text or a whole number", "value": "text, a number or true/false",
}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)  # True is an int to Python, not to us


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "int": _is_int,
    "text": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "texts": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "object": lambda v: isinstance(v, dict),
    "objects": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    "id": lambda v: isinstance(v, str) or _is_int(v),
    "value": lambda v: isinstance(v, str | int | float),
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""


Built = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Command:
    """One command in one version: the parameters it takes and how its CALL is built (the
    builder may rely on the parameters having been checked)."""

    params: tuple[Param, ...]
    build: Callable[[dict[str, Any]], Built]
    # fills in what the CSMS knows (from the registry) before building: (params, charger, reg)
    resolve: Callable[[dict[str, Any], str, Registry], dict[str, Any]] | None = None


def check(command: str, version_name: str, params: Mapping[str, Any],
          spec: Iterable[Param]) -> None:
    """Raise :class:`InvalidCommand` unless ``params`` fit ``spec``: known names only, the
    required ones present, each of its kind (``null`` means not given)."""
    by_name = {p.name: p for p in spec}
    unknown = sorted(set(params) - set(by_name))
    if unknown:
        takes = ", ".join(by_name) or "no parameters"
        raise InvalidCommand(f"{command} in OCPP {version_name} takes {takes}; "
                             f"not {', '.join(unknown)}")
    for p in by_name.values():
        value = params.get(p.name)
        if value is None:
            if p.required:
                raise InvalidCommand(f"{command} needs the parameter {p.name!r}")
            continue
        if not _CHECKS[p.kind](value):
            raise InvalidCommand(f"{command}: {p.name} must be {_SPELLED[p.kind]}, "
                                 f"not {json.dumps(value)}")
        if p.choices and value not in p.choices:
            raise InvalidCommand(f"{command}: {p.name} must be one of {', '.join(p.choices)}, "
                                 f"not {json.dumps(value)}")


def from_text(kind: Kind | None, text: str) -> Any:
    """Command-line text as a parameter of ``kind`` (None: a name no version takes, left for
    the CSMS to refuse). A list may be given as ``a,b`` or as JSON; a bad value is passed on as
    it is, for the CSMS's check to name."""
    if kind in ("text", "id") and not (kind == "id" and text.isdigit()):
        return text
    if kind == "texts" and not text.startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def scalar_text(value: str | int | float | bool) -> str:
    """A configuration value as OCPP spells it: booleans ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
