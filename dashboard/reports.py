"""Partner reports written by issue 7 under ``<data>/reports/outbox/<partner>/<YYYY-MM>/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Report:
    partner: str
    month: str
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def listing(outbox: Path) -> list[Report]:
    """Every file, newest month first, then partner and name."""
    if not outbox.is_dir():
        return []
    found = [
        Report(partner=p.parent.parent.name, month=p.parent.name, path=p)
        for p in outbox.glob("*/*/*")
        if p.is_file() and not p.name.startswith(".")
    ]
    return sorted(
        found,
        key=lambda r: (
            -int(r.month.replace("-", "") or 0) if r.month.replace("-", "").isdigit() else 0,
            r.partner,
            r.path.name,
        ),
    )


MIME = {".csv": "text/csv", ".json": "application/json", ".pdf": "application/pdf"}


def mime(path: Path) -> str:
    return MIME.get(path.suffix.lower(), "application/octet-stream")
