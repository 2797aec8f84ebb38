"""Daily partitions on the lake's ``date`` (UTC)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from ingest.data_folder import data_dir_from_env

# Fixed, not read from the data: a code location must not change shape with its data. Earlier
# lakes (e.g. a replay of 2019 sessions) set CPO_PARTITIONS_START.
START = os.environ.get("CPO_PARTITIONS_START", "2020-01-01")


def data_dir() -> Path:
    """The data folder the code location serves: ``CPO_DATA_DIR``, default ``data``."""
    return data_dir_from_env().resolve()


# end_offset=1: today's partition exists, as the lake writes into it all day.
daily = dg.DailyPartitionsDefinition(start_date=START, end_offset=1)
