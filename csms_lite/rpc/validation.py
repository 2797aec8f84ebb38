"""Payload validation against the official OCA JSON schemas shipped in the ``ocpp`` package.

Each schema is compiled on first use by :mod:`schema_compiler` into nested closures, much faster
than the interpreted ``jsonschema`` validator the ``ocpp`` package uses by default
(bench/README.md has the figures); a differential test holds its verdicts equal to
``fastjsonschema``'s on every schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import ocpp

from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.schema_compiler import Violation, compile_schema

Validator = Callable[[Any], Any]

_SCHEMA_ROOT = Path(ocpp.__file__).parent
_SCHEMA_DIRS = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}

# JSON-schema keyword that failed -> OCPP-J error code (same table as strict OCPP-J peers).
_RULE_CODES = {
    "type": "TypeConstraintViolation",
    "required": "OccurrenceConstraintViolation",
    "minItems": "OccurrenceConstraintViolation",
    "maxItems": "OccurrenceConstraintViolation",
    "additionalProperties": "FormatViolation",
    "maxLength": "FormatViolation",
    "minLength": "FormatViolation",
    "maximum": "FormatViolation",
    "minimum": "FormatViolation",
    "format": "FormatViolation",
    "multipleOf": "PropertyConstraintViolation",
    "enum": "PropertyConstraintViolation",
    "pattern": "PropertyConstraintViolation",
    "const": "PropertyConstraintViolation",
}


def schema_name(version: str, action: str, request: bool) -> str:
    if version == "1.6":
        return action if request else f"{action}Response"
    return f"{action}Request" if request else f"{action}Response"


def schema_path(version: str, action: str, request: bool) -> Path:
    name = schema_name(version, action, request)
    return _SCHEMA_ROOT / _SCHEMA_DIRS[version] / "schemas" / f"{name}.json"


@cache
def actions(version: str) -> frozenset[str]:
    """Every action the version defines (either direction), from its schema file names."""
    folder = _SCHEMA_ROOT / _SCHEMA_DIRS[version] / "schemas"
    if version == "1.6":
        return frozenset(p.stem for p in folder.glob("*.json") if not p.stem.endswith("Response"))
    return frozenset(p.stem.removesuffix("Request") for p in folder.glob("*Request.json"))


def has_schema(version: str, action: str) -> bool:
    # A fixed set, never a path built from what the charger sent.
    return action in actions(version)


@cache
def validator(version: str, action: str, request: bool) -> Validator:
    path = schema_path(version, action, request)
    schema = json.loads(path.read_text(encoding="utf-8-sig"))  # 2.x schemas start with a BOM
    return compile_schema(schema)


def validate(version: str, action: str, payload: Any, *, request: bool) -> None:
    """Raise :class:`OcppCallError` with the OCPP error code for the first violation."""
    try:
        validator(version, action, request)(payload)
    except Violation as exc:
        code = _RULE_CODES.get(exc.rule, "FormatViolation")
        where = exc.where
        raise OcppCallError(code, f"{where} {exc.message}", {"rule": exc.rule, "path": where}
                            ) from None
