"""Resources of the code location, bound to the data folder ``CPO_DATA_DIR`` (default ``data``)."""

from __future__ import annotations

import dagster as dg

from pipelines.partitions import data_dir
from pipelines.resources import WarehouseResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": WarehouseResource(data_dir=str(data_dir()))})
