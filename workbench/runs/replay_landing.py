"""Where a replay writes while it runs, and how it lands: the CSMS of a replay runs on a staging
copy of the data folder (the registry copied in, so transaction ids continue above the folder's
own); on success the registry is copied back and the lake files moved in (``ingest.replay.
landing``); on any failure the staging folder is removed and the data folder is as it was."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from ingest.data_folder import DataFolder
from ingest.replay import landing, prices


def copy_registry(src: Path, dst: Path) -> None:
    """SQLite's online backup: a consistent copy even of a WAL-mode file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)


@contextmanager
def staged(folder: DataFolder) -> Iterator[DataFolder]:
    """A fresh staging data folder inside ``folder``, removed on the way out."""
    root = folder.replay_staging / secrets.token_hex(4)
    root.mkdir(parents=True)
    stage = DataFolder(root)
    try:
        if folder.registry_file.is_file():
            copy_registry(folder.registry_file, stage.registry_file)
        yield stage
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if folder.replay_staging.is_dir() and not any(folder.replay_staging.iterdir()):
            folder.replay_staging.rmdir()


def land(stage: DataFolder, folder: DataFolder, replace: bool) -> int:
    """Make the staged replay the folder's: with ``replace``, the old lake, warehouse and
    replay log (and the replays' price tables) go first. Returns the part files moved into the
    lake; the replay's price table (``--price-col``) moves with them."""
    copy_registry(stage.registry_file, folder.registry_file)
    if replace:
        landing.clear(folder.local_lake)
        shutil.rmtree(folder.warehouse, ignore_errors=True)
        folder.replay_log.unlink(missing_ok=True)
        prices.clear(folder.replay_prices)
    moved = landing.land(stage.local_lake, folder.local_lake)
    prices.land(stage.replay_prices, folder.replay_prices)
    return moved
