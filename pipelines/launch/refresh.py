"""A resident warehouse refresh, for a live warehouse that follows the lake every few minutes.

Each refresh rebuilds the staging days whose lake files (or a neighbour's: staging reads a day
either side) changed since this refresher last staged them, then every mart with its checks
(the price tables and exclusion windows only when their config files changed), then the
predictions, with the same code the Dagster assets run (``staging_build``, ``mart_build``,
``scoring``), but in this process and outside a Dagster run: a run of the marts cost ~4 s of
Dagster bookkeeping (two runs created, ~240 events stored one SQLite connection each) against
~1.5 s of SQL on the demo network. Each refresh is still recorded on the data folder's Dagster
instance, after the marts are published (readers see them first), as one materialisation per
table tagged ``cpo/refresh``, so the UI's lineage and freshness stay true.

The nightly full rebuild, the lake sensor's staging runs and ``cpo pipelines run`` remain Dagster
runs. Used by the demo's live phase (``cpo pipelines refresh --stdin``).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

import pipelines.defs
from pipelines import day_chunks, scoring
from pipelines.lake_signature import lake_parts
from pipelines.launch.home import prepare_home
from pipelines.launch.stale_days import Parts, changed_since, stale_days
from pipelines.mart_build import Built, Failed, build_concurrently, build_order, run_check
from pipelines.marts import INCREMENTAL_FROM
from pipelines.marts_asset import collect
from pipelines.resources import WarehouseResource
from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import staging_build
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.twin import twin

TAG = "cpo/refresh"
# Marts built at once, one DuckDB connection each (they share the database's threads).
MART_WORKERS = 2


@dataclass
class Refreshed:
    """One refresh: the days staged, what failed (nothing if empty), and its cost."""

    first: str
    last: str
    days: list[str] = field(default_factory=list)  # staged (the others had not changed)
    incremental_from: str | None = None  # where the incremental marts rebuilt from; None: whole
    staging_s: float = 0.0
    marts_s: float = 0.0  # the marts and the predictions, until the last is published
    checks_s: float = 0.0  # the asset checks, run after that
    recorded_s: float = 0.0  # Dagster's records, after the marts were published
    marts: int = 0
    failed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def fresh_s(self) -> float:
        """From the start to every mart published: what a reader waits for."""
        return self.staging_s + self.marts_s

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "ok": self.ok, "fresh_s": self.fresh_s,
                           "line": self.line()})

    def line(self) -> str:
        """One line for a terminal or a parent process (``refreshed`` or ``refresh FAILED``)."""
        staged = f"{len(self.days)} day(s) staged" if self.days else "no day changed"
        if not self.ok:
            return f"refresh FAILED {self.first}..{self.last}: {'; '.join(self.failed)}"
        checks = f"; checks FAILED: {', '.join(self.checks_failed)}" if self.checks_failed else ""
        return (f"refreshed {self.first}..{self.last}: {staged}, {self.marts} marts, fresh in "
                f"{self.fresh_s:.2f} s (staging {self.staging_s:.2f} s), checked in "
                f"{self.checks_s:.2f} s, recorded in Dagster in {self.recorded_s:.2f} s{checks}")


class Refresher:
    """Refreshes ``data_dir``'s warehouse on demand; open it once, refresh many times."""

    def __init__(self, data_dir: Path, record: bool = True, workers: int = MART_WORKERS) -> None:
        self.layout = Layout(data_dir.resolve())
        self.workers = max(1, workers)
        prepare_home(self.layout)
        self._instance = dg.DagsterInstance.get() if record else None
        marts, self._checks = collect(pipelines.defs)
        self._ordered = build_order(marts)
        self._staging = staging_sql_files()
        self._warehouse = WarehouseResource(data_dir=str(self.layout.data_dir))
        self._count = 0
        self._seen: dict[str, Parts] = {}  # day -> its lake part files when last staged
        self._config: str | None = None  # config files' fingerprint at the last full build

    def refresh(self, first: str, last: str) -> Refreshed:
        """Stage ``first``..``last`` (YYYY-MM-DD), then build every mart and the predictions."""
        out = Refreshed(first, last)
        started = time.perf_counter()
        lake_now = lake_parts(self.layout.data_dir)
        out.days = stale_days(day_chunks.days(first, last), lake_now, self._seen)
        window = day_chunks.with_neighbours(first, last)
        lake_from = changed_since({d: lake_now[d] for d in window if d in lake_now},
                                  {d: self._seen[d] for d in window if d in self._seen})
        before = self._staged_files(out.days)
        self._stage(out.days)
        self._seen.update({d: lake_now.get(d, frozenset()) for d in window})
        after = self._staged_files(out.days)
        changed = sorted(d for d in out.days if before.get(d) != after.get(d))
        out.staging_s = time.perf_counter() - started
        built: list[Built] = []
        try:
            with self._warehouse.connect() as conn:
                config = _fingerprint(self.layout.config)
                keep = (lambda m: m.config_only) if config == self._config else None
                # The first refresh of this process builds whole; later ones rebuild the
                # incremental marts from where the staging changed (else from their last hour).
                since = None if self._count == 0 else _rebuild_from(changed, lake_from)
                conn.execute(f"SET VARIABLE {INCREMENTAL_FROM} = ?::TIMESTAMPTZ", [since])
                out.incremental_from = None if since is None else since.isoformat()
                # The checks wait until every mart and the predictions are published: they
                # never held a mart back, so readers need not wait for them either.
                conns = [conn, *self._twins(conn)]
                try:
                    for done in build_concurrently(conns, self.layout, self._ordered, keep):
                        if isinstance(done, Failed):
                            out.failed.append(f"{done.name}: {done.why}")
                        else:
                            built.append(done)
                finally:
                    for twin in conns[1:]:
                        twin.close()
                if not out.failed:
                    self._config = config
                    scored = scoring.write_predictions(conn, self.layout)
                    built.append(Built(scoring.TABLE, scored.frame.height, 0.0))
                out.marts_s = time.perf_counter() - started - out.staging_s
                names = {b.name for b in built}
                out.checks_failed = [f"{c.asset}.{c.name}" for c in self._checks
                                     if c.asset in names and not run_check(conn, c).passed]
                out.checks_s = time.perf_counter() - started - out.fresh_s
        finally:
            self._warehouse.close()  # the warehouse's one writer lock, free between refreshes
        out.marts = len(built)
        self._count += 1
        self._record(built, out)
        out.recorded_s = time.perf_counter() - started - out.fresh_s - out.checks_s
        return out

    def _twins(self, conn: duckdb.DuckDBPyConnection) -> list[duckdb.DuckDBPyConnection]:
        """One more connection per further worker: marts build ``workers`` at a time."""
        return [twin(conn, self.layout, self._staging, self._warehouse.build_settings())
                for _ in range(self.workers - 1)]

    def _stage(self, days: list[str]) -> None:
        settings = self._warehouse.build_settings()
        for stretch in day_chunks.stretches(days):
            staging_build.build_tables(self.layout, self._staging, day_chunks.days(*stretch),
                                       settings, self._warehouse.threads)

    def _staged_files(self, days: list[str]) -> dict[str, str]:
        """Per day, a digest of each of its staging files: a day's file comes out byte for byte
        the same from the same lake (``staging_build``), so a changed digest is changed data."""
        found: dict[str, list[str]] = {}
        for day in days:
            for name in self._staging:
                folder = self.layout.staging_partition(name, day)
                for part in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
                    found.setdefault(day, []).append(f"{name}/{part.name}:{_digest(part)}")
        return {day: "\n".join(entries) for day, entries in found.items()}

    def close(self) -> None:
        if self._instance is not None:
            self._instance.dispose()

    def _record(self, built: list[Built], out: Refreshed) -> None:
        if self._instance is None:
            return
        refresh = f"{out.first}_{out.last}_{self._count}"
        for done in built:
            self._instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    done.name,
                    tags={TAG: refresh},
                    metadata={"dagster/row_count": done.rows, "seconds": round(done.seconds, 3)},
                )
            )


def _rebuild_from(changed_days: list[str], lake_from: datetime | None) -> datetime:
    """The hour from which the incremental marts rebuild: the later of the first day whose
    staging files changed and the hour of the lake's earliest change (both are bounds)."""
    if not changed_days:
        return datetime.max.replace(tzinfo=UTC)
    day = datetime.fromisoformat(f"{changed_days[0]}T00:00:00+00:00")
    if lake_from is None:
        return day
    return max(day, lake_from.astimezone(UTC).replace(minute=0, second=0, microsecond=0))


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()


def _fingerprint(folder: Path) -> str:
    """Names, sizes and modification times of every file under ``folder``."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return "\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
