"""Where the warehouse lives inside a data folder, and where its lake is.

``lake``  ``$CPO_LAKE_URL`` if set (a folder or ``s3://bucket/prefix``), else ``<data>/lake``

``<data>/warehouse/warehouse.duckdb``  the pipelines' DuckDB file (one writer at a time)
``<data>/warehouse/staging/<table>/date=YYYY-MM-DD/part-0.parquet``  daily staging partitions
``<data>/warehouse/marts/<table>.parquet``  every mart, published after each build for readers
``<data>/config/``  operator-maintained tables (tariffs, partners, exclusion windows)
``<data>/dagster_home/``  DAGSTER_HOME, so runs and materialisations persist
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.lake import listing, location
from ingest.lake.location import LakeLocation


@dataclass(frozen=True)
class Layout:
    data_dir: Path

    @property
    def lake(self) -> LakeLocation:
        """Read from the environment on each use, as the Dagster code location reads its
        data folder (a malformed ``CPO_LAKE_URL`` raises ``LakeUrlError``)."""
        return location.resolve(self.data_dir)

    @property
    def root(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def db_file(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def marts(self) -> Path:
        return self.root / "marts"

    @property
    def config(self) -> Path:
        return self.data_dir / "config"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def registry_file(self) -> Path:
        return self.data_dir / "registry.sqlite"

    @property
    def sim_network_file(self) -> Path:
        return self.data_dir / "sim" / "network.json"

    def staging(self, table: str) -> Path:
        return self.root / "staging" / table

    def staging_partition(self, table: str, date: str) -> Path:
        return self.staging(table) / f"date={date}"

    def mart_file(self, table: str) -> Path:
        return self.marts / f"{table}.parquet"

    def lake_dates(self, table: str = "ocpp_messages") -> list[str]:
        """The ``date=`` partitions of a lake table that hold at least one complete file."""
        return listing.part_dates(self.lake, table)
