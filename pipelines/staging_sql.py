"""The staging models: one SQL file each in ``defs/staging/``, named as the views marts read."""

from __future__ import annotations

from pathlib import Path

STAGING_DIR = Path(__file__).parent / "defs" / "staging"


def staging_sql_files() -> dict[str, Path]:
    return {f.stem: f for f in sorted(STAGING_DIR.glob("stg_*.sql"))}
