"""Daily partitions on the lake's ``date`` (UTC)."""

from __future__ import annotations

import os

import dagster as dg

# Fixed, not read from the data: a code location must not change shape with its data. Earlier
# lakes (e.g. a replay of 2019 sessions) set CPO_PARTITIONS_START.
START = os.environ.get("CPO_PARTITIONS_START", "2020-01-01")


# end_offset=1: today's partition exists, as the lake writes into it all day.
daily = dg.DailyPartitionsDefinition(start_date=START, end_offset=1)
