"""The warehouse: DuckDB over the lake, no Dagster imports (the assets in ``defs/`` call it)."""
