"""The Dagster resource every asset uses: the warehouse (DuckDB) of one data folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

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

    _open: AbstractContextManager[duckdb.DuckDBPyConnection] | None = PrivateAttr(default=None)
    _conn: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection with ``raw_*`` and ``stg_*`` views and the build variables.

        Opened and prepared once per run (per process), then shared by the run's steps:
        setting up the views cost more than most marts' SQL. Closed when the run ends.
        """
        if self._conn is None:
            layout = self.layout()
            layout.ensure()  # the data folder: 0700
            layout.warehouse.mkdir(parents=True, exist_ok=True)
            database = DuckDBResource(
                database=str(layout.db_file),
                connection_config={"threads": self.threads, "memory_limit": self.memory_limit},
            )
            opened: AbstractContextManager[duckdb.DuckDBPyConnection] = database.get_connection()
            self._open, self._conn = opened, opened.__enter__()
            connect.prepare(self._conn, layout, staging_sql_files(), self.build_settings())
        yield self._conn

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    def close(self) -> None:
        if self._open is not None:
            self._open.__exit__(None, None, None)
        self._open, self._conn = None, None
