"""How deep a decoded JSON value nests, measured without recursion.

orjson decodes up to 1024 levels but encodes only about 255, and the stdlib's json recurses:
a value between those limits parses, then crashes whoever writes it on (the lake journal, a
JSON answer). Frames and API bodies are refused above :data:`MAX_DEPTH` instead; the deepest
OCPP schema nests under ten levels, so real traffic never comes near it."""

from __future__ import annotations

from typing import Any, Final

MAX_DEPTH: Final = 64
_CONTAINERS: Final = (dict, list)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` has containers nested more than ``limit`` levels deep
    (``{}`` is one level, ``[[1]]`` two); one pass over the value, level by level."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        nested = []
        for v in level:
            for x in v.values() if type(v) is dict else v:
                if type(x) in _CONTAINERS:  # exact types: what a JSON parser makes
                    nested.append(x)
        level = nested
    return False
