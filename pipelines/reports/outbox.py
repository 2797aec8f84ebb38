"""The outbox: ``<data>/reports/outbox/<partner>/<YYYY-MM>/`` with the report's files and a
``manifest.json`` (sha256 and size of each file, totals, checks). The manifest's own sha256 is
the report's identity: the delivery log records it, so the same report is never sent twice."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder
from pipelines.reports.emsp_report import Report
from pipelines.reports.tables import json_bytes

MANIFEST = "manifest.json"


def outbox_dir(data_dir: Path, partner: str, month: str) -> Path:
    return DataFolder(data_dir).outbox / partner / month


def manifest(report: Report) -> bytes:
    doc: dict[str, Any] = {
        "format": 1,
        "partner": report.partner,
        "kind": report.kind,
        "month": report.month.key,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(report.files.items())
        },
        "totals": {k: round(v, 4) if isinstance(v, float) else v for k, v in report.totals.items()},
        "checks": [c.as_dict() for c in report.checks],
    }
    return json_bytes(doc)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_manifest(folder: Path) -> bytes | None:
    path = folder / MANIFEST
    return path.read_bytes() if path.is_file() else None


def write(folder: Path, report: Report, manifest_bytes: bytes) -> str:
    """Write the files, the manifest last; 'unchanged' when the folder already holds them."""
    before = current_manifest(folder)
    if before == manifest_bytes and all(
        (folder / n).is_file() and sha256((folder / n).read_bytes()) == sha256(d)
        for n, d in report.files.items()
    ):
        return "unchanged"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in [*sorted(report.files.items()), (MANIFEST, manifest_bytes)]:
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)  # atomic: a reader sees the old or the new file
    return "written" if before is None else "replaced"
