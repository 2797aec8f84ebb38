"""The CSMS's side of file transfers: the links it puts in commands, and what it does with a
download or an upload that comes back with one.

A command's link is filled in before the command is built (``fill``): ``update_firmware``'s
``file`` becomes ``location``, a link to ``<api>/files/firmware/<token>/<name>``;
``get_diagnostics`` without ``location`` gets ``<api>/files/uploads/<token>`` (a charger may
POST or PUT there, or to that URL plus ``/<its file name>``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from csms_lite.config import CsmsConfig
from csms_lite.errors import InvalidCommand
from csms_lite.files.folders import firmware_file
from csms_lite.files.links import Links, nonce_of
from csms_lite.state import FileJob
from ingest.data_folder import DataFolder

# How long a link works: a charger may retry a download for days (retrieve_date may be later
# still); an upload comes within hours of the command.
FIRMWARE_LINK_S = 7 * 86400.0
UPLOAD_LINK_S = 86400.0
FIRMWARE_PATH, UPLOAD_PATH = "/files/firmware", "/files/uploads"


class FileService:
    def __init__(self, config: CsmsConfig) -> None:
        folder = DataFolder(config.data_dir)
        self.firmware_dir: Path = folder.firmware
        self.diagnostics_dir: Path = folder.diagnostics
        self.links = Links(folder.file_links_key)
        self.max_upload_bytes = config.max_upload_bytes
        self.base_url: str | None = config.files_url.rstrip("/") if config.files_url else None

    def serving(self, scheme: str, host: str, port: int) -> None:
        """The API is up: links point at it, unless ``files_url`` names the address chargers
        reach it by."""
        if self.base_url is None:
            self.base_url = f"{scheme}://{host}:{port}"

    def fill(self, command: str, params: dict[str, Any], cp_id: str) -> dict[str, Any]:
        """``params`` with the CSMS's own link in ``location`` where the command needs one;
        :class:`InvalidCommand` when it names no image we have, or we serve no files. Anything
        else is left for the command's own check."""
        try:
            return self._fill(command, params, cp_id)
        except ValueError as exc:
            raise InvalidCommand(f"{command}: {exc}") from None

    def _fill(self, command: str, params: dict[str, Any], cp_id: str) -> dict[str, Any]:
        if params.get("location") is not None:
            return params
        if command == "update_firmware" and isinstance(params.get("file"), str):
            name = firmware_file(self.firmware_dir, params["file"]).name
            token = self.links.mint("firmware", cp_id, name, self._base_now() + FIRMWARE_LINK_S)
            return {**params, "location": f"{self.base_url}{FIRMWARE_PATH}/{token}/{quote(name)}"}
        if command == "get_diagnostics" and self.base_url is not None:
            token = self.links.mint("upload", cp_id, "", time.time() + UPLOAD_LINK_S)
            return {**params, "location": f"{self.base_url}{UPLOAD_PATH}/{token}"}
        return params

    def _base_now(self) -> float:
        if self.base_url is None:
            raise ValueError("the CSMS serves firmware through its HTTP API: start it with "
                             "--api-port (or give location)")
        return time.time()


def owns(job: FileJob | None, nonce: str) -> bool:
    """Whether ``job`` is the one whose link carries ``nonce``."""
    return job is not None and job.location is not None and nonce_of(job.location) == nonce
