"""The code location's resources, bound to the data folder ``CPO_DATA_DIR`` (default ``data``).

The one place the environment names the data folder: assets, sensors and schedules get it from
the ``warehouse`` resource (Dagster injects it), and the runs ``cpo pipelines run`` launches
carry it in their run config.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingest.data_folder import data_dir_from_env
from pipelines.resources import WarehouseResource


def data_dir() -> Path:
    """The data folder this code location serves."""
    return data_dir_from_env().resolve()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": WarehouseResource(data_dir=str(data_dir()))})
