"""Trained models, versioned in the data folder: ``<data>/models/fault/<version>/``.

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

from models.errors import NoModelError

PACKAGE = Path(__file__).resolve().parents[1]


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models" / "fault"


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
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = models_dir(data_dir) / stamp
    folder.mkdir(parents=True, exist_ok=False)
    with (folder / "model.pkl").open("wb") as f:
        pickle.dump(model, f)
    (folder / "model_card.json").write_text(json.dumps(meta, indent=2, default=str))
    (folder / "model_card.html").write_text(plots_html, encoding="utf-8")
    (models_dir(data_dir) / "latest").write_text(stamp)
    return folder


def load_latest(data_dir: Path) -> tuple[Any, dict[str, Any], Path]:
    pointer = models_dir(data_dir) / "latest"
    if not pointer.exists():
        raise NoModelError(
            f"no trained fault model in {models_dir(data_dir)}: run `cpo models train --data-dir "
            f"{data_dir}` first"
        )
    folder = models_dir(data_dir) / pointer.read_text().strip()
    with (folder / "model.pkl").open("rb") as f:
        model = pickle.load(f)  # our own file, written by save()
    meta = json.loads((folder / "model_card.json").read_text())
    return model, meta, folder
