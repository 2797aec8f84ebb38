"""Where files live in the data folder (the paths themselves: ingest.data_folder): firmware
images by plain file name, uploads as ``diagnostics/<charger>/<UTC time>_<name>``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from csms_lite.files.errors import FileRefused

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_NAME = 120


def firmware_file(folder: Path, name: str) -> Path:
    """The image ``name`` in ``folder``; ValueError unless it is a plain file name there."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"firmware file {name!r} must be a plain file name in {folder}")
    path = folder / name
    if not path.is_file():
        have = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        raise ValueError(f"no firmware file {name!r} in {folder} (there: "
                         f"{', '.join(have) or 'nothing'})")
    return path


def served_firmware(folder: Path, name: str) -> Path:
    """As :func:`firmware_file`, for a download: 404 when it is gone."""
    try:
        return firmware_file(folder, name)
    except ValueError as exc:
        raise FileRefused(404, str(exc)) from None


def safe_name(text: str, default: str = "upload.bin") -> str:
    """``text`` as one file name: no folders, no leading dot, only ``[A-Za-z0-9._-]``."""
    name = _UNSAFE.sub("_", text.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return name[:MAX_NAME] or default


def charger_folder(cp_id: str) -> str:
    """A charger's id as one folder name, one id to one name (percent-encoded, as in its
    OCPP URL; a leading dot encoded too, so no id is ``..`` or hidden)."""
    name = quote(cp_id, safe="-_.")
    return "%2E" + name[1:] if name.startswith(".") else name


def upload_path(folder: Path, cp_id: str, name: str, at: float) -> Path:
    """``<folder>/<charger>/<YYYYmmddTHHMMSS.ffffffZ>_<name>``: sorted by arrival."""
    stamp = datetime.fromtimestamp(at, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return folder / charger_folder(cp_id) / f"{stamp}_{safe_name(name)}"
