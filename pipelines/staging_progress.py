"""The staging asset's line per table built, written to the run's log and read back from it.

A staging run is one step that builds nine tables, over a year of days for a long backfill: the
step's own line comes only at its end. So the asset logs one line per table as it goes (in the
Dagster UI's run log too), and :mod:`pipelines.run_watch` turns each into a progress line of
``cpo pipelines run``, for a run in this process or in a worker process alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(
    r"(?P<table>\w+): (?P<rows>[\d,]+) rows over (?P<days>\d+) day\(s\) "
    r"\(table (?P<index>\d+)/(?P<count>\d+)\)\Z"
)


@dataclass(frozen=True)
class TableBuilt:
    table: str
    rows: int
    days: int
    index: int  # 1-based, in build order
    count: int  # tables the run builds


def message(done: TableBuilt) -> str:
    """The log line, e.g. ``stg_status: 1,234 rows over 31 day(s) (table 7/9)``."""
    return (
        f"{done.table}: {done.rows:,} rows over {done.days} day(s) "
        f"(table {done.index}/{done.count})"
    )


def parse(text: str) -> TableBuilt | None:
    """The table a :func:`message` line names, or None for any other log line."""
    found = _LINE.match(text)
    if found is None:
        return None
    return TableBuilt(
        found["table"],
        int(found["rows"].replace(",", "")),
        int(found["days"]),
        int(found["index"]),
        int(found["count"]),
    )
