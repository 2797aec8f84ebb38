"""Numbers for people: thousands separators, units, and a dash for missing values."""

from __future__ import annotations

import math

DASH = "–"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def count(x: float | None) -> str:
    return DASH if _missing(x) else f"{round(float(x or 0)):,}"


def money(x: float | None) -> str:
    if _missing(x):
        return DASH
    value = float(x or 0)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:,.2f} M"
    return f"{sign}${value:,.0f}" if value >= 1000 else f"{sign}${value:,.2f}"


def kwh(x: float | None) -> str:
    if _missing(x):
        return DASH
    value = float(x or 0)
    return f"{value / 1000:,.1f} MWh" if abs(value) >= 100_000 else f"{value:,.0f} kWh"


def pct(x: float | None, digits: int = 1) -> str:
    return DASH if _missing(x) else f"{float(x or 0):.{digits}f} %"


def minutes(x: float | None) -> str:
    if _missing(x):
        return DASH
    value = float(x or 0)
    if value >= 120:
        return f"{value / 60:,.1f} h"
    return f"{value:,.0f} min"


def delta_pct(now: float | None, before: float | None) -> str | None:
    """'+12 % vs last week', or None when there is nothing to compare with."""
    if _missing(now) or _missing(before) or not before:
        return None
    change = (float(now or 0) - float(before or 0)) / float(before or 1) * 100
    return f"{change:+.0f} % vs last week"
