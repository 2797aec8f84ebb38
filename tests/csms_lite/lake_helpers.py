"""Reading back what a test's CSMS wrote."""

from __future__ import annotations

import asyncio

import polars as pl

from ingest.lake.reader import read_table
from tests.conftest import Csms


async def table(csms: Csms, name: str) -> pl.DataFrame:
    await asyncio.to_thread(csms.server.writer.flush)
    return read_table(csms.data_dir / "lake", name)
