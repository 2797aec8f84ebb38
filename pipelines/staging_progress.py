"""The staging asset's progress event per table built: an asset observation, read back by type.

A staging run is one step that builds nine tables, over a year of days for a long backfill: the
step's own events come only at its end. So the asset logs one ``AssetObservation`` per table as
it goes (shown in the Dagster UI's run log and the asset's observations), and
:mod:`pipelines.launch.watch` reads them back from the event log by event type and metadata, for
a run in this process or in a step process alike. One owner of the event's shape: this module.
"""

# No "from __future__ import annotations": kept like the asset module that logs these.
from dataclasses import dataclass

import dagster as dg

# Metadata keys of a table-built observation; TABLE marks one (other observations lack it).
TABLE, ROWS, DAYS, INDEX, COUNT = "cpo/table", "dagster/row_count", "days", "table_index", "tables"


@dataclass(frozen=True)
class TableBuilt:
    table: str
    rows: int
    days: int
    index: int  # 1-based, in build order
    count: int  # tables the run builds


def message(done: TableBuilt) -> str:
    """A line for people, e.g. ``stg_status: 1,234 rows over 31 day(s) (table 7/9)``."""
    return (
        f"{done.table}: {done.rows:,} rows over {done.days} day(s) "
        f"(table {done.index}/{done.count})"
    )


def observation(asset_key: dg.AssetKey, done: TableBuilt) -> dg.AssetObservation:
    metadata: dict[str, dg.MetadataValue] = {
        TABLE: dg.MetadataValue.text(done.table),
        ROWS: dg.MetadataValue.int(done.rows),
        DAYS: dg.MetadataValue.int(done.days),
        INDEX: dg.MetadataValue.int(done.index),
        COUNT: dg.MetadataValue.int(done.count),
    }
    return dg.AssetObservation(asset_key=asset_key, description=message(done), metadata=metadata)


def read(observed: dg.AssetObservation) -> TableBuilt | None:
    """The table an :func:`observation` names, or None for any other observation."""
    meta = observed.metadata
    if TABLE not in meta:
        return None

    def number(key: str) -> int:
        return int(str(meta[key].value))

    return TableBuilt(
        str(meta[TABLE].value), number(ROWS), number(DAYS), number(INDEX), number(COUNT)
    )
