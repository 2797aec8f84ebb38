"""Launching the pipelines from the command line, on the data folder's Dagster instance.

``run`` (``cpo pipelines run``): staging for a range of days as Dagster runs, then every mart.
``prepare_home``: the data folder's DAGSTER_HOME. ``parse_workers``: ``--workers`` checked.
Nothing here is part of the code location (``pipelines/defs``); this drives it.
"""

from pipelines.launch.home import prepare_home
from pipelines.launch.run import day_range, run
from pipelines.launch.summary import RunSummary
from pipelines.launch.workers import check_workers, parse_workers

__all__ = ["RunSummary", "check_workers", "day_range", "parse_workers", "prepare_home", "run"]
