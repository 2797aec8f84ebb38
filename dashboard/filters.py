"""The filters every page shares (date range, sites, charger models) and the SQL they add."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    sites: tuple[str, ...] = field(default=())  # empty = all
    models: tuple[str, ...] = field(default=())  # empty = all

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def where(
        self,
        date_col: str | None = "local_date",
        site_col: str | None = "site_id",
        cp_col: str | None = "charge_point_id",
        ts_col: str | None = None,
    ) -> tuple[str, list[object]]:
        """A SQL condition (never empty: 'TRUE' when nothing applies) and its parameters.

        ``date_col`` is a DATE column (a site-local day), ``ts_col`` a UTC timestamp; the model
        filter goes through dim_chargers because most marts carry only the charger id."""
        parts: list[str] = []
        params: list[object] = []
        if date_col:
            parts.append(f"{date_col} BETWEEN ? AND ?")
            params += [self.start, self.end]
        if ts_col:
            parts.append(f"{ts_col} >= ?::TIMESTAMPTZ AND {ts_col} < ?::TIMESTAMPTZ")
            params += [f"{self.start} 00:00:00+00", f"{self.end + timedelta(days=1)} 00:00:00+00"]
        if site_col and self.sites:
            parts.append(f"list_contains(?, {site_col})")
            params.append(list(self.sites))
        if cp_col and self.models:
            parts.append(
                f"{cp_col} IN (SELECT charge_point_id FROM dim_chargers"
                " WHERE list_contains(?, model))"
            )
            params.append(list(self.models))
        return (" AND ".join(parts) or "TRUE"), params
