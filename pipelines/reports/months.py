"""Report months. A CDR belongs to the UTC calendar month of its ``end_date_time``: settlement is on
completed sessions, so a session that starts on 31 January and ends on 1 February is February's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pipelines.errors import PipelineError

MONTH_RULE = (
    "A session belongs to the UTC calendar month in which it ended (CDR end_date_time); "
    "amounts are in the tariff currency, excluding VAT."
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise PipelineError(f"--month {text!r} is not a month; use YYYY-MM, e.g. 2026-01")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        """First instant of the month, UTC (inclusive)."""
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """First instant of the next month, UTC (exclusive)."""
        if self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, self.month + 1, 1, tzinfo=UTC)

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")
