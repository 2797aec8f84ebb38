"""An arm's maintenance tickets, from its tickets store: how many each rule opened, and how
the predictive ones ended (field service's reports: resolved, or a false alarm)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder
from models.tickets.from_policy import HARDWARE, PREDICTED_HARDWARE, RESETS_UNHELPFUL
from models.tickets.store import snapshot


def ticket_counts(data: Path) -> dict[str, Any]:
    tickets = snapshot(DataFolder(data).tickets_file)["tickets"]
    # by trigger: a predictive ticket's cause is the hardware fault it foresaw (one per problem)
    causes = Counter(str(t["trigger"]) for t in tickets)
    predicted = Counter(str(t["state"]) for t in tickets if t["trigger"] == PREDICTED_HARDWARE)
    return {
        "tickets on a hardware fault code (reactive)": causes[HARDWARE],
        "tickets after unhelpful resets": causes[RESETS_UNHELPFUL],
        "tickets on an alert routed to a technician (predictive)": causes[PREDICTED_HARDWARE],
        "predictive tickets resolved / false alarm / still open": (
            f"{predicted['resolved']} / {predicted['false_alarm']} / "
            f"{sum(predicted.values()) - predicted['resolved'] - predicted['false_alarm']}"),
    }
