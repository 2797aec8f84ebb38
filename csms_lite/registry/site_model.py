"""A site's electrical model, kept for energy management: the grid connection limit (kW), a tree
of circuits with their limits (site -> feeders -> sub-feeders), and the circuit each charger is
on. A circuit's parent must exist before it (so the tree has no cycle by construction); a
charger with no circuit hangs directly off the site's connection."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from csms_lite.registry.db import Database
from csms_lite.registry.errors import InvalidValueError


@dataclass(frozen=True)
class CircuitRecord:
    id: str
    parent: str | None  # None: on the site's grid connection
    limit_kw: float


@dataclass(frozen=True)
class SiteModelRecord:
    site: str
    grid_limit_kw: float | None  # None: not set yet
    circuits: tuple[CircuitRecord, ...]
    chargers: dict[str, str | None]  # charger id -> circuit (None: the site's connection)


def _check_kw(field: str, kw: float) -> float:
    if not (math.isfinite(kw) and kw >= 0):
        raise InvalidValueError(field, f"a limit is a finite number of kW >= 0, got {kw}")
    return float(kw)


class SiteModelStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def set_grid_limit(self, site: str, kw: float) -> None:
        self._db.change(
            "INSERT INTO site_limits (site, grid_limit_kw) VALUES (?, ?) "
            "ON CONFLICT (site) DO UPDATE SET grid_limit_kw = excluded.grid_limit_kw",
            (site, _check_kw("limit_kw", kw)),
        )

    def add_circuit(self, site: str, circuit: str, limit_kw: float,
                    parent: str | None = None) -> None:
        """Add a circuit, or change the limit of an existing one (its parent stays)."""
        kw = _check_kw("limit_kw", limit_kw)
        if circuit == site:
            raise InvalidValueError("circuit", f"{circuit!r} is the site itself (its root)")

        def add(conn: sqlite3.Connection) -> None:
            if parent is not None and parent != site and not _has(conn, site, parent):
                raise InvalidValueError("parent", f"site {site} has no circuit {parent!r}")
            conn.execute(
                "INSERT INTO circuits (site, id, parent, limit_kw) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (site, id) DO UPDATE SET limit_kw = excluded.limit_kw",
                (site, circuit, None if parent == site else parent, kw),
            )

        self._db.transaction(add)

    def assign_charger(self, cp_id: str, site: str, circuit: str | None = None) -> None:
        def assign(conn: sqlite3.Connection) -> None:
            if circuit is not None and circuit != site and not _has(conn, site, circuit):
                raise InvalidValueError("circuit", f"site {site} has no circuit {circuit!r}")
            conn.execute(
                "INSERT INTO circuit_chargers (cp_id, site, circuit) VALUES (?, ?, ?) "
                "ON CONFLICT (cp_id) DO UPDATE SET site = excluded.site, "
                "circuit = excluded.circuit",
                (cp_id, site, None if circuit == site else circuit),
            )

        self._db.transaction(assign)

    def site_model(self, site: str) -> SiteModelRecord:
        limit = self._db.one("SELECT grid_limit_kw FROM site_limits WHERE site = ?", (site,))
        circuits = self._circuits(site)
        chargers = {
            str(r[0]): None if r[1] is None else str(r[1])
            for r in self._db.all(
                "SELECT cp_id, circuit FROM circuit_chargers WHERE site = ? ORDER BY cp_id", (site,)
            )
        }
        return SiteModelRecord(site, None if limit is None else float(limit[0]), circuits,
                               chargers)

    def _circuits(self, site: str) -> tuple[CircuitRecord, ...]:
        rows = self._db.all("SELECT id, parent, limit_kw FROM circuits WHERE site = ? ORDER BY id",
                            (site,))
        return tuple(CircuitRecord(str(r[0]), None if r[1] is None else str(r[1]), float(r[2]))
                     for r in rows)

    def sites(self) -> list[str]:
        rows = self._db.all(
            "SELECT site FROM site_limits UNION SELECT site FROM circuits "
            "UNION SELECT site FROM circuit_chargers ORDER BY 1"
        )
        return [str(r[0]) for r in rows]


def _has(conn: sqlite3.Connection, site: str, circuit: str) -> bool:
    row = conn.execute("SELECT 1 FROM circuits WHERE site = ? AND id = ?", (site, circuit))
    return row.fetchone() is not None
