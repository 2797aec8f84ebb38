"""Daily partitions on the lake's ``date`` (UTC), from a fixed early start.

Fixed, not read from the data: the code location keeps one shape whatever the lake holds, so a
running daemon stages a replay of older sessions (e.g. ACN-Data from 2018, or a 2014 export)
the moment it lands, with no reload, and nothing is listed in the lake (maybe an object store)
at import. 2000-01-01 is before any data the workbench takes: the CSMS stamps frames with the
server's clock and replays with the sessions' own times. The empty years before the lake's
first day cost nothing: the lake sensor and the nightly rebuild ask only for days the lake has
files for, the hourly schedule for yesterday and today, and ``cpo pipelines run`` for the
lake's first to last day (``pipelines.defs.automation``, ``pipelines.launch.run``). A backfill
of every partition from the UI would stage them all: pick the lake's range there.
"""

from __future__ import annotations

import dagster as dg

START = "2000-01-01"

# end_offset=1: today's partition exists, as the lake writes into it all day.
daily = dg.DailyPartitionsDefinition(start_date=START, end_offset=1)
