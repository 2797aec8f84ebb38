"""The Dagster resource every asset uses: the warehouse (DuckDB) of one data folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import connect
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.settings import BuildSettings


class WarehouseResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """DuckDB over ``data_dir``'s lake. Marts go into ``warehouse/warehouse.duckdb``."""

    data_dir: str
    threads: int = 2
    memory_limit: str = "4GB"
    timezone: str = BuildSettings.timezone
    offline_tolerance: float = BuildSettings.offline_tolerance
    session_timeout_hours: float = BuildSettings.session_timeout_hours
    fault_min_minutes: float = BuildSettings.fault_min_minutes
    label_horizon_hours: int = BuildSettings.label_horizon_hours

    def layout(self) -> Layout:
        return Layout(Path(self.data_dir))

    def build_settings(self) -> BuildSettings:
        return BuildSettings(
            timezone=self.timezone,
            offline_tolerance=self.offline_tolerance,
            session_timeout_hours=self.session_timeout_hours,
            fault_min_minutes=self.fault_min_minutes,
            label_horizon_hours=self.label_horizon_hours,
        )

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection with ``raw_*`` and ``stg_*`` views and the build variables."""
        layout = self.layout()
        layout.root.mkdir(parents=True, exist_ok=True)
        database = DuckDBResource(
            database=str(layout.db_file),
            connection_config={"threads": self.threads, "memory_limit": self.memory_limit},
        )
        with database.get_connection() as conn:
            connect.prepare(conn, layout, staging_sql_files(), self.build_settings())
            yield conn
