"""A model card as a few lines for the terminal."""

from __future__ import annotations

from typing import Any


def card_lines(card: dict[str, Any]) -> list[str]:
    test = card["test"]
    lines = [
        f"model {card['model']} ({card.get('source', 'own')}, H = {card['horizon_h']} h), "
        f"trained {card['trained_at'][:19]}Z "
        f"on {card['chargers']} chargers; test from {card['split']['test_from'][:10]}",
        f"{'':16}{'PR-AUC':>8}{'precision':>11}{'recall':>8}{'median lead':>13}{'alerts/day':>12}",
    ]
    for name in ("model", "rule_baseline"):
        b = test[name]["at_budget"]
        lead = f"{b['median_lead_h']:.1f} h" if b["median_lead_h"] is not None else "-"
        lines.append(
            f"{name:16}{test[name]['pr_auc']:>8.3f}{b['precision']:>11.1%}{b['recall']:>8.1%}"
            f"{lead:>13}{b['alerts_per_day']:>12.1f}"
        )
    truth = test["model"].get("vs_simulator_truth")
    if truth:
        parts = [f"{k} {v['caught']}/{v['onsets']}" for k, v in truth.items()]
        lines.append("caught vs simulator truth, per fault type: " + ", ".join(parts))
    return lines
