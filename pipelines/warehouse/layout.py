"""The pipelines' name for the data folder's layout: ``ingest.data_folder.DataFolder`` itself.

The one owner of what lives where (lake, ``warehouse/warehouse.duckdb``, ``warehouse/staging/``,
``warehouse/marts/``, ``config/``, ``dagster_home/``, ``registry.sqlite``, ``sim/``) is
``ingest.data_folder``, which every package may import; ``Layout`` stays as an alias so the
pipelines' many ``Layout(data_dir)`` call sites read as before.
"""

from __future__ import annotations

from ingest.data_folder import DataFolder as Layout

__all__ = ["Layout"]
