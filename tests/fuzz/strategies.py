"""Hypothesis strategies for hostile JSON, and the shared settings: derandomized (the same
examples on every run, so CI is reproducible), bounded examples, no per-example deadline
flakiness on a busy machine but a cap on the whole."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=200, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ_LIVE = settings(FUZZ, max_examples=100)  # a round trip each: fewer

# Floats as a hostile peer could send them once decoded (the stdlib json takes NaN, 1e999).
scalars = (st.none() | st.booleans() | st.integers()
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=5),
    max_leaves=30,
)
finite_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=5),
    max_leaves=30,
)


def nested(depth: int, inner: str = "") -> str:
    """``[[[...]]]`` ``depth`` levels deep, as text (a "JSON bomb")."""
    return "[" * depth + inner + "]" * depth


# Texts every JSON parser must survive; each a known way to hurt one.
HOSTILE_TEXTS: dict[str, bytes] = {
    "bomb_100k": nested(100_000).encode(),
    "bomb_300": nested(300).encode(),  # decodes in orjson (< 1024) but cannot be re-encoded
    "huge_number": b'{"command": "reset", "timeout": 1e999}',
    "nan_literal": b'{"command": "reset", "timeout": NaN}',
    "infinity_literal": b'{"command": "reset", "timeout": -Infinity}',
    "duplicate_keys": b'{"command": "reset", "command": "unlock", "params": {}}',
    "invalid_utf8": b'{"command": "\xff\xfe"}',
    "lone_surrogate": b'{"command": "\\ud800"}',
    "giant_string": b'{"command": "' + b"x" * 200_000 + b'"}',
    "giant_integer": b'{"command": "reset", "timeout": ' + b"9" * 5000 + b"}",
    "not_json": b"<html>",
    "empty": b"",
}
