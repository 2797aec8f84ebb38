"""Daily staging tables: the lake's JSON payloads typed once per day, for every mart to share."""

from __future__ import annotations

from pipelines.assets_kit import staging_asset
from pipelines.staging_sql import staging_sql_files

staging_assets = [staging_asset(name, sql) for name, sql in staging_sql_files().items()]
