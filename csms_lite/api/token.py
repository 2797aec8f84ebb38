"""The API's bearer token: given, or created once in the data folder (mode 0600) so the CLI
on the same machine can read it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ingest.data_folder import SECRET_MODE, DataFolder


def load_or_create(data_dir: Path, given: str | None) -> str:
    if given:
        return given
    path = DataFolder(data_dir).api_token_file
    if path.is_file():
        return path.read_text().strip()
    DataFolder(data_dir).ensure()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token
