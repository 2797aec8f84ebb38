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
from typing import TYPE_CHECKING, Any

import ocpp

from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.schema_compiler import Violation, compile_schema

if TYPE_CHECKING:  # the version records import the handlers, which need none of this
    from csms_lite.versions import Version

Validator = Callable[[Any], Any]

SCHEMA_ROOT = Path(ocpp.__file__).parent

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


def schema_folder(version: Version) -> Path:
    return SCHEMA_ROOT / version.schema_dir / "schemas"


def schema_name(version: Version, action: str, request: bool) -> str:
    return action + version.request_suffix if request else f"{action}Response"


def schema_path(version: Version, action: str, request: bool) -> Path:
    return schema_folder(version) / f"{schema_name(version, action, request)}.json"


@cache
def actions(version: Version) -> frozenset[str]:
    """Every action the version defines (either direction), from its request schemas' names."""
    suffix = version.request_suffix
    return frozenset(
        p.stem.removesuffix(suffix)
        for p in schema_folder(version).glob(f"*{suffix}.json")
        if not p.stem.endswith("Response")
    )


def has_schema(version: Version, action: str) -> bool:
    # A fixed set, never a path built from what the charger sent.
    return action in actions(version)


@cache
def validator(version: Version, action: str, request: bool) -> Validator:
    path = schema_path(version, action, request)
    schema = json.loads(path.read_text(encoding="utf-8-sig"))  # 2.x schemas start with a BOM
    return compile_schema(schema)


def validate(version: Version, action: str, payload: Any, *, request: bool) -> None:
    """Raise :class:`OcppCallError` with the OCPP error code for the first violation."""
    try:
        validator(version, action, request)(payload)
    except Violation as exc:
        code = _RULE_CODES.get(exc.rule, "FormatViolation")
        where = exc.where
        raise OcppCallError(code, f"{where} {exc.message}", {"rule": exc.rule, "path": where}
                            ) from None
