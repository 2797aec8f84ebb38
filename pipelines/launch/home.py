"""The data folder's Dagster instance home (``DATA/dagster_home``), made and pointed at."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.data_folder import DATA_DIR_ENV  # what the code location (defs/resources.py) binds
from pipelines.warehouse.layout import Layout

DAGSTER_YAML = "telemetry:\n  enabled: false\n"


def prepare_home(layout: Layout) -> Path:
    """Create DAGSTER_HOME in the data folder (telemetry off) and point this process at it.

    Also names the data folder in ``CPO_DATA_DIR``, for a code location this process starts
    (``cpo pipelines ui``); the runs launched here get the folder in their run config instead.
    """
    home = layout.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ[DATA_DIR_ENV] = str(layout.data_dir)
    return home
