"""Where the warehouse lives inside a data folder.

``<data>/warehouse/warehouse.duckdb``  the pipelines' DuckDB file (one writer at a time)
``<data>/warehouse/staging/<table>/date=YYYY-MM-DD/part-0.parquet``  daily staging partitions
``<data>/warehouse/marts/<table>.parquet``  every mart, published after each build for readers
``<data>/config/``  operator-maintained tables (tariffs, partners, exclusion windows)
``<data>/dagster_home/``  DAGSTER_HOME, so runs and materialisations persist
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.lake import paths as lake_paths


@dataclass(frozen=True)
class Layout:
    data_dir: Path

    @property
    def lake(self) -> Path:
        return lake_paths.lake_dir(self.data_dir)

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
        folder = lake_paths.table_dir(self.lake, table)
        if not folder.is_dir():
            return []
        return sorted(
            d.name.removeprefix("date=")
            for d in folder.iterdir()
            if d.name.startswith("date=") and any(d.glob("*.parquet"))
        )
