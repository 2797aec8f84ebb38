"""The A/B's figures that compare arms: what field service bought against the arm with no
healing (``off``), and predictive dispatch against reactive dispatch (the ``model`` arm: the
same rules and model resets, tickets only once a hardware fault is on).

- technician outage port-hours saved = off's minus the arm's (truth: outages inside a fault
  that needs a technician);
- field-service cost per outage-hour saved = the arm's truck-roll cost / those hours saved
  (resets save the curable hours at no roll cost, so they are not in the denominator);
- technician outage vs reactive dispatch = the arm's technician outage port-hours / the model
  arm's, in % (the target: <= 50 % for predictive dispatch).
"""

from __future__ import annotations

from typing import Any

TECH_H = "outage port-hours in technician faults (truth)"
COST = "field-service cost (USD)"
SAVED = "technician outage port-hours saved vs off"
PER_HOUR = "field-service cost per outage-hour saved (USD)"
VS_REACTIVE = "technician outage vs reactive dispatch (%)"
HEADLINE = (
    "network uptime (NEVI, %)",
    "outage port-hours in curable long faults (truth)",
    TECH_H,
    "outage port-hours in trips (truth)",
    "all outage port-hours",
    "technician faults (truth)",
    "faults averted (truth)",
    "curable faults averted by a reset before onset (truth)",
    "technician faults averted (truth)",
    "tickets on a hardware fault code (reactive)",
    "tickets on an alert routed to a technician (predictive)",
    "predictive tickets resolved / false alarm / still open",
    "truck rolls (truth)",
    "truck rolls, useful (truth)",
    "truck rolls, wasted (truth)",
    COST,
    SAVED,
    PER_HOUR,
    VS_REACTIVE,
    "self-healing resets",
    "resets during energy delivery (truth)",
    "sessions interrupted by resets (truth)",
)


def field_figures(results: dict[Any, dict[str, Any]]) -> None:
    """Add the cross-arm figures to each arm's results (None where the baseline is missing)."""
    off = results.get("off")
    reactive = results.get("model")
    for r in results.values():
        saved = None if off is None else off[TECH_H] - r[TECH_H]
        r[SAVED] = saved
        r[PER_HOUR] = r[COST] / saved if saved and saved > 0 else None
        r[VS_REACTIVE] = (100.0 * r[TECH_H] / reactive[TECH_H]
                          if reactive is not None and reactive[TECH_H] else None)
