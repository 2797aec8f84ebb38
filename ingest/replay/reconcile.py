"""Does the lake give back what the file holds? Sessions and kWh, in all and per station.

Lake side, from ``meter_values`` rows of the replays' CSMS nodes only (measurand
Energy.Active.Import.Register, unit Wh): a session recovered is a transaction with a
Transaction.Begin row; its energy is (max register - min register) / 1000 kWh. The file side is
the replayed sessions' count and ``kwh`` sum. The registers carry whole Wh, so the energy may
differ by up to 0.0005 kWh per session; more than 0.001 kWh per session is a mismatch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.lake import paths
from ingest.lake.reader import duckdb_scan_sql
from ingest.replay.prices import PriceTotal
from ingest.replay.session import ReplaySession

KWH_PER_SESSION = 0.001

_LAKE_SQL = """
select charge_point_id, count(*) filter (where begun), coalesce(sum(wh), 0)
from (select charge_point_id, transaction_id,
             bool_or(context = 'Transaction.Begin') as begun,
             max(value) - min(value) as wh
      from {scan}
      where list_contains(?, node_id)
        and measurand = 'Energy.Active.Import.Register' and unit = 'Wh'
        and transaction_id is not null
      group by all)
group by all
order by 1
"""


@dataclass(frozen=True)
class Count:
    sessions: int = 0
    kwh: float = 0.0


@dataclass(frozen=True)
class Totals:
    per_station: dict[str, Count] = field(default_factory=dict)

    @property
    def sessions(self) -> int:
        return sum(c.sessions for c in self.per_station.values())

    @property
    def kwh(self) -> float:
        return sum(c.kwh for c in self.per_station.values())


def file_totals(sessions: Iterable[ReplaySession]) -> Totals:
    acc: dict[str, Count] = {}
    for s in sessions:
        c = acc.get(s.station, Count())
        acc[s.station] = Count(c.sessions + 1, c.kwh + s.kwh)
    return Totals(dict(sorted(acc.items())))


def lake_totals(lake: Path, node_ids: Sequence[str]) -> Totals:
    if not any(paths.table_dir(lake, "meter_values").glob("*/*.parquet")):
        return Totals()
    with duckdb.connect() as con:
        rows = con.execute(_LAKE_SQL.format(scan=duckdb_scan_sql(lake, "meter_values")),
                           [list(node_ids)]).fetchall()
    # Summed in Wh: whole numbers add up exactly in any order, so the result is reproducible.
    return Totals({str(cp): Count(int(n), float(wh) / 1000) for cp, n, wh in rows})


def _same(a: Count, b: Count) -> bool:
    return a.sessions == b.sessions and abs(a.kwh - b.kwh) <= KWH_PER_SESSION * max(
        a.sessions, 1)


@dataclass(frozen=True)
class Reconciliation:
    file: Totals
    lake: Totals

    def station_mismatches(self) -> list[str]:
        stations = sorted(self.file.per_station.keys() | self.lake.per_station.keys())
        return [s for s in stations if not _same(self.file.per_station.get(s, Count()),
                                                 self.lake.per_station.get(s, Count()))]

    @property
    def ok(self) -> bool:
        whole = _same(Count(self.file.sessions, self.file.kwh),
                      Count(self.lake.sessions, self.lake.kwh))
        return whole and not self.station_mismatches()

    def lines(self) -> list[str]:
        f, lk = self.file, self.lake
        rows = [("sessions", f"{f.sessions:,}", f"{lk.sessions:,}",
                 f"{lk.sessions - f.sessions:+,}"),
                ("energy (kWh)", f"{f.kwh:,.3f}", f"{lk.kwh:,.3f}", f"{lk.kwh - f.kwh:+,.4f}"),
                ("stations", f"{len(f.per_station):,}", f"{len(lk.per_station):,}",
                 f"{len(lk.per_station) - len(f.per_station):+,}")]
        out = [f"{'':<14}{'file':>14}{'lake':>14}{'difference':>14}"]
        out += [f"{a:<14}{b:>14}{c:>14}{d:>14}" for a, b, c, d in rows]
        out += self._station_lines()
        verdict = "OK" if self.ok else "MISMATCH"
        out.append(f"result: {verdict} (tolerance {KWH_PER_SESSION} kWh per session)")
        return out

    def _station_lines(self) -> list[str]:
        bad = self.station_mismatches()
        if not bad:
            return [f"per station: all {len(self.file.per_station)} match"]
        out = [f"per station: {len(bad)} differ (station: file -> lake sessions, kWh)"]
        for s in bad[:20]:
            a, b = self.file.per_station.get(s, Count()), self.lake.per_station.get(s, Count())
            out.append(f"  {s}: {a.sessions} -> {b.sessions}, {a.kwh:.3f} -> {b.kwh:.3f}")
        return out


def revenue_lines(sessions: Iterable[ReplaySession], landed: Sequence[PriceTotal],
                  currency: str) -> tuple[list[str], bool]:
    """The file's amounts against this replay's landed price table (to the cent)."""
    priced = [s.amount for s in sessions if s.amount is not None]
    file_amount = math.fsum(priced)
    got = next((t for t in landed if t.currency == currency), PriceTotal(0, 0.0, currency))
    ok = got.sessions == len(priced) and round(got.amount - file_amount, 2) == 0 and all(
        t.currency == currency for t in landed)
    label = f"revenue ({currency})"
    return [f"{label:<14}{file_amount:>14,.2f}{got.amount:>14,.2f}"
            f"{got.amount - file_amount:>+14,.2f}",
            f"priced sessions: {len(priced):,} in the file, {got.sessions:,} in "
            f"the price table (the warehouse's revenue for them: "
            f"{'the file' if ok else 'MISMATCH'})"], ok


def reconcile(sessions: Iterable[ReplaySession], lake: Path, node_id: str) -> Reconciliation:
    return Reconciliation(file_totals(sessions), lake_totals(lake, [node_id]))
