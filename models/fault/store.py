"""Trained models, versioned in the data folder: ``<data>/models/fault/<version>/``
(``DataFolder.fault_models``).

Each version holds the fitted model (pickle), the model card (JSON), its plots (HTML), the
feature list and categories it was trained with, and the code version that built it (a hash of
the ``models`` package's source, plus the git commit when there is one). ``latest`` names the
newest version.

Until the operator's data has trained one, the shipped default (``models/fault/default/``,
built by ``cpo models build-default`` from a large simulated network) is the current model:
``load_current`` returns the operator's own latest model, else the default, and its card says
which (``source``: ``own`` or ``default``).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sklearn

from ingest.data_folder import DataFolder
from models.errors import NoModelError

PACKAGE = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(__file__).resolve().parent / "default"  # the shipped default model
BUILD_DEFAULT = "cpo models build-default"


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
    """The operator's own newest model (``NoModelError`` if there is none)."""
    versions = DataFolder(data_dir).fault_models
    pointer = versions / "latest"
    if not pointer.exists():
        raise NoModelError(
            f"no trained fault model in {versions}: run `cpo models train --data-dir "
            f"{data_dir}` first"
        )
    folder = versions / pointer.read_text().strip()
    return _load(folder, "own", f"retrain it: `cpo models train --data-dir {data_dir}`")


def load_default() -> tuple[Any, dict[str, Any], Path]:
    """The shipped default model."""
    if not (DEFAULT_DIR / "model.pkl").exists():
        raise NoModelError(f"no default fault model in {DEFAULT_DIR}: run `{BUILD_DEFAULT}`")
    return _load(DEFAULT_DIR, "default", f"rebuild it: `{BUILD_DEFAULT}`")


def has_own(data_dir: Path) -> bool:
    return (DataFolder(data_dir).fault_models / "latest").exists()


def load_current(data_dir: Path) -> tuple[Any, dict[str, Any], Path]:
    """The model scoring uses: the operator's own newest, else the shipped default."""
    return load_latest(data_dir) if has_own(data_dir) else load_default()


def version_of(meta: dict[str, Any], folder: Path) -> str:
    """The name predictions carry: an own model's folder (its stamp), ``default-<stamp>``."""
    return str(meta.get("version") or folder.name)


def _load(folder: Path, source: str, remedy: str) -> tuple[Any, dict[str, Any], Path]:
    meta = json.loads((folder / "model_card.json").read_text())
    # A pickle of scikit-learn objects is only safe to load with the version that wrote it
    # (estimators' internals change between releases, silently or with a crash at predict).
    # Cards from before the version was recorded are trusted, as before.
    built_with = meta.get("sklearn_version")
    if built_with is not None and built_with != sklearn.__version__:
        raise NoModelError(
            f"the fault model in {folder} was saved with scikit-learn {built_with}, this "
            f"environment has {sklearn.__version__}: {remedy}"
        )
    with (folder / "model.pkl").open("rb") as f:
        model = pickle.load(f)  # our own file, written by save() or build-default
    meta.setdefault("source", source)
    return model, meta, folder
