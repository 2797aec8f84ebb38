"""Differential test: our schema compiler agrees with fastjsonschema on every OCPP schema,
for a valid payload built from each schema and for single mutations of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from csms_lite.rpc.schema_compiler import Violation, compile_schema
from csms_lite.rpc.validation import SCHEMA_ROOT, schema_folder
from csms_lite.versions import VERSIONS

SCHEMAS = sorted(
    p for v in VERSIONS for p in schema_folder(v).glob("*.json")
)


def load(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    schema.pop("$id", None)  # fastjsonschema would try to fetch it
    return schema


def resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].removeprefix("#/definitions/")]
    return node


def example(node: dict[str, Any], root: dict[str, Any], full: bool) -> Any:
    """A valid instance: required properties only, or every property when ``full``."""
    node = resolve(node, root)
    if "enum" in node:
        return node["enum"][-1]
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        keys = props if full else node.get("required", [])
        return {k: example(props[k], root, full) for k in keys}
    if kind == "array":
        return [example(node["items"], root, full)] * max(1, node.get("minItems", 1))
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return "2026-01-02T03:04:05.678Z"
        if fmt == "uri":
            return "https://example.org/x"
        return "a" * max(1, node.get("minLength", 1))
    if kind in ("integer", "number"):
        return int(node.get("minimum", 0)) if kind == "integer" else float(node.get("minimum", 0))
    if kind == "boolean":
        return True
    return {}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list) and value:
        yield from paths(value[0], (*prefix, 0))


def set_at(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    if not path:
        return new
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


MUTANTS: list[Any] = [None, True, 1, 1.5, -1, 10**12, "", "x" * 600, "not-a-date",
                      "NOT_AN_ENUM", [], {}, {"zz_extra": 1}]


def mutations(valid: Any) -> Iterator[Any]:
    for path in paths(valid):
        for mutant in MUTANTS:
            yield set_at(valid, path, mutant)
        if path:
            parent = path[:-1]
            container = valid
            for step in parent:
                container = container[step]
            if isinstance(container, dict):  # drop a key
                smaller = {k: v for k, v in container.items() if k != path[-1]}
                yield set_at(valid, parent, smaller)
                yield set_at(valid, parent, {**container, "zz_extra": 1})


def verdict_ours(check: Any, payload: Any) -> bool:
    try:
        check(payload)
    except Violation:
        return False
    return True


def verdict_reference(check: Any, payload: Any) -> bool:
    try:
        check(payload)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
@pytest.mark.slow
def test_same_verdicts_as_fastjsonschema(path: Path) -> None:
    schema = load(path)
    ours, reference = compile_schema(schema), fastjsonschema.compile(schema)
    for full in (False, True):
        valid = example(schema, schema, full)
        assert verdict_ours(ours, valid), f"our validator rejects a valid {path.stem}: {valid}"
        assert verdict_reference(reference, valid)
        for payload in mutations(valid):
            assert verdict_ours(ours, payload) == verdict_reference(reference, payload), payload


def test_violation_names_rule_and_path() -> None:
    schema = load(SCHEMA_ROOT / "v16" / "schemas" / "MeterValues.json")
    check = compile_schema(schema)
    bad = {"connectorId": 1, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z",
                                             "sampledValue": [{"value": "1", "unit": "Parsec"}]}]}
    with pytest.raises(Violation) as info:
        check(bad)
    assert info.value.rule == "enum"
    assert info.value.where == "data.meterValue[0].sampledValue[0].unit"


def test_unsupported_keyword_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        compile_schema({"type": "object", "patternProperties": {}})
