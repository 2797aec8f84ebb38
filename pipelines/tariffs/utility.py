"""Utility time-of-use tariffs (acnportal's schedule format) resolved to an hourly price table.

A schedule file has ``name``, ``effective`` (date) and ``schedule``: entries with
``effective_start``/``effective_end`` (inclusive ``MM-DD``; an end before the start wraps the year
end), ``dow_mask`` (``WEEKDAYS`` Mon-Fri, ``WEEKENDS`` Sat-Sun, ``ALL``), ``times`` (local hours
where each price band starts, first 0, last band to midnight), ``tariffs`` ($/kWh per band) and
``demand_charge`` ($/kW of monthly peak). The first entry matching a day wins (PG&E A-10 lists two
winter entries, both ``ALL``: its first, "Winter-Weekday", applies to every winter day).

``price_rows`` flattens a tariff to one row per (month-day, day type, local hour): the hour's
$/kWh is the time-weighted mean of the bands it overlaps (A-10 changes price at 08:30 and 21:30).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipelines.errors import ConfigFileError

SHIPPED_DIR = Path(__file__).parent / "utility"
DAY_TYPES = ("weekday", "weekend")
_MASKS = {"WEEKDAYS": {"weekday"}, "WEEKENDS": {"weekend"}, "ALL": {"weekday", "weekend"}}


@dataclass(frozen=True)
class Entry:
    id: str
    start_md: int  # month * 100 + day, inclusive
    end_md: int  # inclusive; < start_md when the season wraps the year end
    day_types: frozenset[str]
    times: tuple[float, ...]
    prices: tuple[float, ...]
    demand_charge: float

    def covers(self, md: int, day_type: str) -> bool:
        if day_type not in self.day_types:
            return False
        if self.start_md <= self.end_md:
            return self.start_md <= md <= self.end_md
        return md >= self.start_md or md <= self.end_md

    def hour_price(self, hour: int) -> float:
        """Time-weighted $/kWh over local hour [hour, hour + 1)."""
        total = 0.0
        for i, (start, price) in enumerate(zip(self.times, self.prices, strict=True)):
            end = self.times[i + 1] if i + 1 < len(self.times) else 24.0
            total += max(0.0, min(end, hour + 1) - max(start, hour)) * price
        return total


@dataclass(frozen=True)
class UtilityTariff:
    id: str  # the file's stem, e.g. "sce_tou_ev_8_june_2019"
    name: str  # e.g. "SCE TOU-EV-8" (several files may share it)
    effective: date
    entries: tuple[Entry, ...]

    def entry_for(self, md: int, day_type: str) -> Entry | None:
        return next((e for e in self.entries if e.covers(md, day_type)), None)

    def price(self, local: datetime) -> tuple[float, float]:
        """($/kWh, $/kW demand charge) at a local time, for tests and spot checks."""
        day_type = "weekend" if local.isoweekday() >= 6 else "weekday"
        entry = self.entry_for(local.month * 100 + local.day, day_type)
        if entry is None:
            raise ConfigFileError(f"utility tariff {self.id} has no price for {local:%m-%d}")
        return entry.hour_price(local.hour), entry.demand_charge


def _md(text: str, where: str) -> int:
    try:
        month, day = (int(p) for p in str(text).split("-"))
        date(2000, month, day)
    except ValueError as exc:
        raise ConfigFileError(f"{where}: {text!r} is not a MM-DD date") from exc
    return month * 100 + day


def parse(doc: dict[str, Any], tariff_id: str, source: str = "") -> UtilityTariff:
    where = source or tariff_id
    try:
        entries = []
        for n, raw in enumerate(doc["schedule"]):
            at = f"{where}: schedule[{n}]"
            mask = str(raw["dow_mask"]).upper()
            if mask not in _MASKS:
                raise ConfigFileError(f"{at}: dow_mask must be WEEKDAYS, WEEKENDS or ALL")
            times = tuple(float(t) for t in raw["times"])
            prices = tuple(float(p) for p in raw["tariffs"])
            if (
                not times
                or times[0] != 0
                or len(times) != len(prices)
                or list(times) != sorted(times)
            ):
                raise ConfigFileError(
                    f"{at}: 'times' must start at 0, rise, and have one entry per 'tariffs' price"
                )
            entries.append(
                Entry(
                    id=str(raw.get("id", n)),
                    start_md=_md(raw["effective_start"], at),
                    end_md=_md(raw["effective_end"], at),
                    day_types=frozenset(_MASKS[mask]),
                    times=times,
                    prices=prices,
                    demand_charge=float(raw.get("demand_charge") or 0.0),
                )
            )
        y, m, d = (int(p) for p in str(doc["effective"]).split("-"))
        return UtilityTariff(tariff_id, str(doc["name"]), date(y, m, d), tuple(entries))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigFileError(
            f"{where}: not a utility tariff schedule ({exc!r}); see pipelines/tariffs/utility/"
        ) from exc


def load_dir(folder: Path) -> dict[str, UtilityTariff]:
    out = {}
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigFileError(f"{path}: invalid JSON ({exc})") from exc
        out[path.stem] = parse(doc, path.stem, str(path))
    return out


def load(config_dir: Path | None = None) -> dict[str, UtilityTariff]:
    """The shipped tariffs, plus (overriding by file name) any in ``<config>/utility_tariffs/``."""
    tariffs = load_dir(SHIPPED_DIR)
    if config_dir is not None and (config_dir / "utility_tariffs").is_dir():
        tariffs.update(load_dir(config_dir / "utility_tariffs"))
    return tariffs


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _stem_date(tariff_id: str) -> tuple[int, int]:
    """(year, month) named in a file stem like ``..._june_2019`` ((0, 0) if none)."""
    match = re.search(r"_([a-z]+)_(\d{4})(?:_|$)", tariff_id)
    if not match or match.group(1)[:3] not in _MONTHS:
        return (0, 0)
    return (int(match.group(2)), _MONTHS.index(match.group(1)[:3]) + 1)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def resolve(tariffs: dict[str, UtilityTariff], ref: str) -> str | None:
    """A tariff id from an id or a name.

    Several files share a name (both SCE TOU-EV-8 files say effective 2018-10-12): a name picks
    the latest ``effective`` date, then the latest month-year in the file name (june_2019).
    """
    if ref in tariffs:
        return ref
    named = [
        t for t in tariffs.values() if _norm(t.name) == _norm(ref) or _norm(t.id) == _norm(ref)
    ]
    return max(named, key=lambda t: (t.effective, _stem_date(t.id), t.id)).id if named else None


def price_rows(tariff: UtilityTariff) -> list[dict[str, Any]]:
    """One row per month-day (leap year) x day type x local hour, first matching entry."""
    rows = []
    day = date(2000, 1, 1)
    while day.year == 2000:
        md = day.month * 100 + day.day
        for day_type in DAY_TYPES:
            entry = tariff.entry_for(md, day_type)
            if entry is None:
                continue
            for hour in range(24):
                rows.append(
                    {
                        "utility_tariff": tariff.id,
                        "tariff_name": tariff.name,
                        "month_day": md,
                        "day_type": day_type,
                        "hour": hour,
                        "schedule_entry": entry.id,
                        "usd_per_kwh": round(entry.hour_price(hour), 6),
                        "demand_charge_usd_per_kw": entry.demand_charge,
                    }
                )
        day = date.fromordinal(day.toordinal() + 1)
    return rows
