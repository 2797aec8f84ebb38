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
    for name in ("model", "rule_baseline", "error_code_rule"):
        if name not in test:
            continue
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
    if "restated" in test:
        lines.extend(restated_lines(test["restated"]))
    if "routing" in card:
        lines.extend(routing_lines(card["routing"]))
    return lines


def routing_lines(r: dict[str, Any]) -> list[str]:
    """The fault-type router's confusion matrix on the test weeks' positive hours."""
    if "skipped" in r:
        return [f"routing: none ({r['skipped']})"]
    t = r["test"]
    m = t["reset_vs_technician"]
    share = "-" if t["technician_recall"] is None else f"{t['technician_recall']:.0%}"
    exact = "-" if t["technician_precision"] is None else f"{t['technician_precision']:.0%}"
    return [
        f"routing ({r['model']}) on {t['rows']} test hours before a fault: balanced accuracy "
        f"{t['balanced_accuracy']:.2f}, technician faults found {share}, tickets right {exact}",
        f"  {'':18}{'routed reset':>14}{'routed technician':>19}",
        *(f"  {row:18}{m[row]['routed_reset']:>14}{m[row]['routed_technician']:>19}"
          for row in ("true_reset", "true_technician")),
    ]


def restated_lines(r: dict[str, Any]) -> list[str]:
    """Issue 20's targets: per episode at the budget, regimes apart, against the oracle."""
    lines = [f"per fault episode, at most {r['budget_per_day']:g} alerts a day (first come, "
             "first served; a charger alerts again 24 h on; model_uncapped: no cap):"]
    for name, regimes in r["episodes"].items():
        parts = []
        for regime, e in regimes.items():
            if regime == "threshold":
                continue
            if not e["episodes"]:
                parts.append(f"{regime}: none in the test weeks")
                continue
            lead = f"{e['median_lead_h']:.1f} h" if e["median_lead_h"] is not None else "-"
            precision = f"{e['precision']:.0%}" if e["precision"] is not None else "-"
            parts.append(f"{regime} {e['caught']}/{e['episodes']} (chance "
                         f"{e['chance_recall']:.0%}), lead {lead}, precision {precision}, "
                         f"{e['alerts_per_day_per_100']:.2f} alerts/day/100")
        lines.append(f"  {name:16}" + "; ".join(parts))
    oracle = r.get("vs_oracle")
    if oracle:
        cells = [f"{h} {v['model_pr_auc']:.3f}/{v['oracle_pr_auc']:.3f} = {v['ratio']:.2f}x"
                 for h, v in oracle.items()]
        lines.append("hourly PR-AUC, model / phase oracle, same rows: " + ", ".join(cells))
    for t in r["targets"]:
        value = "-" if t["value"] is None else f"{t['value']:.2f}"
        lines.append(f"  target {t['target']} >= {t['goal']:g}: {value} "
                     f"({'reached' if t['reached'] else 'not reached'})")
    return lines
