"""Where the dashboard reads from: the data folder and the optional CSMS API, from the command
line (``streamlit run dashboard/app.py -- --data-dir D``) or the environment (``CPO_DATA_DIR``,
``CPO_API_URL``, ``CPO_API_TOKEN``), so ``cpo dashboard`` and tests can both set them."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from ingest.data_folder import DataFolder, data_dir_from_env

# Addresses only this machine reaches: served there with no users, the dashboard needs no
# sign-in (dashboard.auth); ``cpo dashboard`` says which applies before it starts.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    api_url: str | None
    api_token: str | None

    @property
    def folder(self) -> DataFolder:
        return DataFolder(self.data_dir)

    @property
    def marts_dir(self) -> Path:
        return self.folder.marts

    @property
    def outbox_dir(self) -> Path:
        return self.folder.outbox


def load(argv: list[str]) -> Settings:
    parser = argparse.ArgumentParser(prog="dashboard", add_help=False)
    parser.add_argument("--data-dir", default=str(data_dir_from_env()))
    parser.add_argument("--api-url", default=os.environ.get("CPO_API_URL") or None)
    known, _ = parser.parse_known_args(argv)
    data_dir = Path(known.data_dir).expanduser()
    token = os.environ.get("CPO_API_TOKEN") or _token_file(data_dir)
    return Settings(data_dir=data_dir, api_url=known.api_url, api_token=token)


def _token_file(data_dir: Path) -> str | None:
    # The CSMS writes its token there when it runs on the same data folder.
    path = DataFolder(data_dir).api_token_file
    try:
        return path.read_text().strip() or None
    except OSError:
        return None
