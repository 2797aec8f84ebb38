"""Failure features rebuilt from a lake that is still being written (the predictive arm of the
self-healing A/B): the pipelines' own staging SQL and mart SQL, run into a scratch warehouse.

What the rebuild at simulated time ``t`` may see is what the lake holds, nothing else: the CSMS
node stamps every row with its clock, which follows the simulation, so after a flush the lake
holds exactly the rows received up to ``t``. The rebuild checks that (``lake_until <= t``), keeps
only complete hours (``feature_at <= t``: a partial hour would look like a quiet charger to a
model trained on whole hours), and never reads the simulator's truth.

Incremental where it is cheap to be exact: staging is rebuilt only for the days from the last
rebuild's day to today (the day a rebuild saw part of is finished at the next one, after
midnight, with the next day's files beside it as a normal staging build has); the marts that
``failure_features`` reads are rebuilt over the whole history, in memory, as the pipelines do.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from ingest.data_folder import DataFolder
from ingest.lake.location import LakeLocation
from ingest.lake.schemas import TABLES, partition_column
from pipelines.marts import Mart
from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import connect, reference_data, sql_files, staging_build
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.settings import BuildSettings

FEATURES = "failure_features"
DEFS = Path(connect.__file__).resolve().parents[1] / "defs"
THREADS = 2
STAGING_WORKERS = 3


class PeekError(RuntimeError):
    """The lake held a row stamped after the simulated now: the rebuild would see the future."""


@dataclass(frozen=True)
class LiveLayout(Layout):
    """A scratch warehouse (``data_dir``) over another data folder's lake and registry."""

    source: Path

    @property
    def lake(self) -> LakeLocation:
        return DataFolder(self.source).lake

    @property
    def registry_file(self) -> Path:
        return DataFolder(self.source).registry_file


@dataclass(frozen=True)
class Build:
    """One rebuild: when, what the lake held, what came out, and what it cost."""

    at: datetime  # the simulated now
    lake_until: datetime | None  # the last server timestamp in the lake
    features_until: datetime | None  # the last feature_at kept
    staged_days: int
    rows: int
    seconds: float


def feature_marts() -> list[tuple[str, Path]]:
    """``failure_features`` and every mart it reads, in build order, from the assets' own deps."""
    from pipelines.defs.dimensions import assets as dimensions
    from pipelines.defs.failures.assets import failure_assets
    from pipelines.defs.sessions.assets import sessions
    from pipelines.defs.usage.assets import usage_assets

    found = [*failure_assets, *usage_assets, sessions]
    found += [v for v in vars(dimensions).values() if isinstance(v, Mart)]
    by_name = {m.name: m for m in found}
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order or name.startswith(("stg_", "raw_")):
            return
        if name not in by_name:
            raise RuntimeError(f"{FEATURES} now reads {name}, which the live rebuild cannot build")
        for dep in sorted(by_name[name].deps):
            visit(dep)
        order.append(name)

    visit(FEATURES)
    return [(name, _sql_file(name)) for name in order]


def _sql_file(name: str) -> Path:
    files = list(DEFS.glob(f"*/{name}.sql"))
    if len(files) != 1:
        raise RuntimeError(f"expected one {name}.sql under {DEFS}, found {files}")
    return files[0]


class LiveFeatures:
    """Rebuild ``failure_features`` from ``source``'s lake into ``scratch`` (wiped first).

    ``network_json`` is the simulated network's description (install dates), which the pipelines
    read from ``sim/network.json``: static data a real operator has in its asset register, and
    which the simulator writes only when it ends.
    """

    def __init__(
        self,
        source: Path,
        scratch: Path,
        network_json: str | None = None,
        settings: BuildSettings | None = None,
    ) -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        self.layout = LiveLayout(scratch, source)
        self.settings = settings or BuildSettings()
        if network_json is not None:
            self.layout.sim_network_file.parent.mkdir(parents=True, exist_ok=True)
            self.layout.sim_network_file.write_text(network_json, encoding="utf-8")
        self.marts = feature_marts()
        self.staging = staging_sql_files()
        self._staged_to: str | None = None  # the last day staged by the previous rebuild
        self.builds: list[Build] = []

    @property
    def features_file(self) -> Path:
        return self.layout.mart_file(FEATURES)

    def build(self, t: float) -> Build:
        """Publish the features of every complete hour up to ``t`` as ``features_file``."""
        started = time.perf_counter()
        now = datetime.fromtimestamp(t, UTC)
        days = self._days(now.date())
        if days:  # one table per thread: each is a small DuckDB job, mostly fixed costs
            with ThreadPoolExecutor(STAGING_WORKERS) as pool:
                list(
                    pool.map(lambda item: self._stage(item[0], item[1], days), self.staging.items())
                )
        self._staged_to = days[-1] if days else self._staged_to
        conn = duckdb.connect(config={"threads": THREADS})
        try:
            connect.prepare(conn, self.layout, self.staging, self.settings)
            reference_data.register(conn, self.layout)
            lake_until = _lake_until(conn)
            if lake_until is not None and lake_until > now:
                raise PeekError(f"the lake holds a row at {lake_until}, after the rebuild's {now}")
            for name, sql_file in self.marts:
                sql_files.build_table(conn, name, sql_file)
            conn.execute(
                f"CREATE TABLE live_cut AS SELECT * FROM {FEATURES} WHERE feature_at <= ? "
                "ORDER BY charge_point_id, hour",
                [now],
            )
            sql_files.publish(conn, "live_cut", self.features_file)
            row = conn.execute("SELECT count(*), max(feature_at) FROM live_cut").fetchone()
        finally:
            conn.close()
        rows, last = row if row is not None else (0, None)
        build = Build(now, lake_until, last, len(days), int(rows), time.perf_counter() - started)
        self.builds.append(build)
        return build

    def _stage(self, name: str, sql_file: Path, days: list[str]) -> int:
        return staging_build.build_partitions(self.layout, name, sql_file, days, self.settings, 1)

    def _days(self, today: date) -> list[str]:
        """Days to (re)stage: from the previous rebuild's last day (the first lake day at first)
        to today."""
        lake_days = sorted(
            {
                d
                for t in ("ocpp_messages", "meter_values", "connection_events")
                for d in self.layout.lake_dates(t)
            }
        )
        if not lake_days:
            return []
        first = date.fromisoformat(lake_days[0])
        if self._staged_to is not None:
            first = max(first, date.fromisoformat(self._staged_to))
        return [(first + timedelta(i)).isoformat() for i in range((today - first).days + 1)]


def _lake_until(conn: duckdb.DuckDBPyConnection) -> datetime | None:
    """The last server timestamp of any raw table the connection sees."""
    parts = " UNION ALL ".join(
        f'SELECT max("{partition_column(schema)}") AS ts FROM raw_{table}'
        for table, schema in TABLES.items()
    )
    value = sql_files.scalar(conn, f"SELECT max(ts) FROM ({parts})")
    return value if isinstance(value, datetime) else None
