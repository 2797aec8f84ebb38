"""Comparing computed numbers: a fit, a model metric or a sum over floats may round differently
on another CPU (BLAS kernels chosen by ``OPENBLAS_CORETYPE``, DuckDB's parallel sums), so tests
compare them with a relative tolerance, never with ``==``."""

from __future__ import annotations

import math
from dataclasses import asdict, is_dataclass
from typing import Any

REL = 1e-9  # far above rounding noise, far below any real change in a fitted figure


def differences(actual: Any, expected: Any, rel: float = REL, path: str = "") -> list[str]:
    """Where ``actual`` and ``expected`` differ: floats beyond ``rel``, anything else by ``==``.

    Walks dataclasses, mappings and sequences, so a whole fitted profile compares in one call.
    """
    if is_dataclass(actual) and is_dataclass(expected):
        actual, expected = asdict(actual), asdict(expected)  # type: ignore[arg-type]
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            return [f"{path or '.'}: keys {sorted(actual)} != {sorted(expected)}"]
        return [d for k in actual for d in differences(actual[k], expected[k], rel, f"{path}.{k}")]
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        if len(actual) != len(expected):
            return [f"{path or '.'}: {len(actual)} items != {len(expected)}"]
        return [d for i, (a, e) in enumerate(zip(actual, expected, strict=True))
                for d in differences(a, e, rel, f"{path}[{i}]")]
    if isinstance(actual, float) or isinstance(expected, float):
        if isinstance(actual, int | float) and isinstance(expected, int | float) and math.isclose(
            actual, expected, rel_tol=rel, abs_tol=rel
        ):
            return []
        return [f"{path or '.'}: {actual!r} != {expected!r}"]
    return [] if actual == expected else [f"{path or '.'}: {actual!r} != {expected!r}"]


def assert_close(actual: Any, expected: Any, rel: float = REL) -> None:
    diffs = differences(actual, expected, rel)
    assert not diffs, f"differ beyond rel={rel:g}:\n" + "\n".join(diffs[:20])
