"""Daily staging: the lake's JSON payloads typed once per day, for every mart to share."""

from pipelines.staging_assets import lake_tables, staging_asset, staging_tables
from pipelines.staging_sql import staging_sql_files

lake = lake_tables()
staging = staging_asset(staging_sql_files())
staging_table_specs = staging_tables(staging_sql_files())
