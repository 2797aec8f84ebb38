"""Trained models, versioned in the data folder: ``<data>/models/fault/<version>/``
(``DataFolder.fault_models``).

Each version holds the fitted model (pickle), the model card (JSON), its plots (HTML), the
feature list and categories it was trained with, and the code version that built it (a hash of
the ``models`` package's source, plus the git commit when there is one). ``latest`` names the
newest version.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder
from models.errors import NoModelError

PACKAGE = Path(__file__).resolve().parents[1]


def code_version() -> dict[str, str]:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    out = {"models_source_sha256": digest.hexdigest()[:16]}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PACKAGE,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        out["git_commit"] = commit.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def save(data_dir: Path, model: Any, meta: dict[str, Any], plots_html: str) -> Path:
    versions = DataFolder(data_dir).fault_models
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = versions / stamp
    folder.mkdir(parents=True, exist_ok=False)
    with (folder / "model.pkl").open("wb") as f:
        pickle.dump(model, f)
    (folder / "model_card.json").write_text(json.dumps(meta, indent=2, default=str))
    (folder / "model_card.html").write_text(plots_html, encoding="utf-8")
    (versions / "latest").write_text(stamp)
    return folder


def load_latest(data_dir: Path) -> tuple[Any, dict[str, Any], Path]:
    versions = DataFolder(data_dir).fault_models
    pointer = versions / "latest"
    if not pointer.exists():
        raise NoModelError(
            f"no trained fault model in {versions}: run `cpo models train --data-dir "
            f"{data_dir}` first"
        )
    folder = versions / pointer.read_text().strip()
    with (folder / "model.pkl").open("rb") as f:
        model = pickle.load(f)  # our own file, written by save()
    meta = json.loads((folder / "model_card.json").read_text())
    return model, meta, folder
