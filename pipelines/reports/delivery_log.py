"""The delivery log, ``<data>/reports/delivery_log.jsonl``: one JSON line per attempt to deliver a
report (outcome, attempts, HTTP status, reason). Append-only, so it is also the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG = "delivery_log.jsonl"
DELIVERED = "delivered"


def log_path(reports_dir: Path) -> Path:
    return reports_dir / LOG


def append(reports_dir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    line = {"at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **entry}
    with log_path(reports_dir).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def entries(reports_dir: Path) -> list[dict[str, Any]]:
    path = log_path(reports_dir)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn last line after a crash: ignore it, the next run appends anew
    return out


def delivered(reports_dir: Path, partner: str, month: str, report_id: str | None = None) -> bool:
    """Whether this partner's month (this exact report, when ``report_id`` is given) was pushed."""
    return any(
        e.get("status") == DELIVERED
        and e.get("partner") == partner
        and e.get("month") == month
        and (report_id is None or e.get("report_id") == report_id)
        for e in entries(reports_dir)
    )
