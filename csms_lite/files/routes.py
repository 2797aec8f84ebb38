"""The HTTP routes chargers use with the links in our commands, on the CSMS's API server but
outside its bearer tokens (the signed link is the credential, ``csms_lite.files.links``):

- ``GET /files/firmware/{token}/{name}``: the firmware image (404 when it is gone)
- ``POST|PUT /files/uploads/{token}[/{name}]``: a diagnostics or log file, the raw body or the
  first part of a multipart form; stored as ``<data>/diagnostics/<charger>/<time>_<name>``,
  answered 201; larger than ``max_upload_bytes``: 413, nothing kept; more than
  ``UPLOADS_PER_LINK`` through one link: 429 (a charger retries a failed upload a few times;
  a leaked link must not fill the disk).

A refused link is 403. A file that arrives for the charger's current job is listed in its live
state and written to the lake as an ``Outcome`` row (``file_received``) of the command that
asked for it."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from csms_lite.files.errors import FileRefused
from csms_lite.files.folders import served_firmware, upload_path
from csms_lite.files.links import Link
from csms_lite.files.service import FIRMWARE_PATH, UPLOAD_PATH, owns
from ingest.data_folder import private_folder

if TYPE_CHECKING:
    from csms_lite.server.hub import Hub

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
UPLOADS_PER_LINK = 10
Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


def _refused(exc: FileRefused) -> web.Response:
    return web.json_response({"error": str(exc)}, status=exc.status)


class FileRoutes:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.files = hub.files
        self._uploads: dict[str, int] = {}  # link nonce -> uploads started through it

    def routes(self) -> list[Route]:
        return [("GET", FIRMWARE_PATH + "/{token}/{name}", self.firmware),
                *((method, UPLOAD_PATH + path, self.upload) for method in ("POST", "PUT")
                  for path in ("/{token}", "/{token}/{name}"))]

    async def firmware(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        try:
            link = self.files.links.check(request.match_info["token"], "firmware", time.time())
            if link.name != name:
                raise FileRefused(403, f"this link is for {link.name!r}, not {name!r}")
            path = served_firmware(self.files.firmware_dir, name)
        except FileRefused as exc:
            return _refused(exc)
        charger = self.hub.chargers.get(link.charge_point_id)
        if charger is not None and owns(charger.firmware_job, link.nonce):
            assert charger.firmware_job is not None
            charger.firmware_job.downloads += 1
        log.info("firmware %s fetched by %s", name, link.charge_point_id)
        return web.FileResponse(path)

    async def upload(self, request: web.Request) -> web.StreamResponse:
        try:
            link = self.files.links.check(request.match_info["token"], "upload", time.time())
            self._count(link)
            stored, size, digest = await self._receive(request, link)
        except FileRefused as exc:
            return _refused(exc)
        relative = stored.relative_to(self.files.diagnostics_dir.parent).as_posix()
        detail = {"file": relative, "bytes": size, "sha256": digest}
        self._record(link, detail)
        log.info("upload from %s kept as %s (%d bytes)", link.charge_point_id, relative, size)
        return web.json_response(detail, status=201)

    def _count(self, link: Link) -> None:
        used = self._uploads.get(link.nonce, 0)
        if used >= UPLOADS_PER_LINK:
            raise FileRefused(429, f"{UPLOADS_PER_LINK} uploads through this link already: "
                                   "send a new get_diagnostics")
        self._uploads[link.nonce] = used + 1

    async def _receive(self, request: web.Request, link: Link) -> tuple[Path, int, str]:
        limit = self.files.max_upload_bytes
        if request.content_length is not None and request.content_length > limit:
            raise FileRefused(413, _too_large(limit))
        name = request.match_info.get("name") or ""
        read: Callable[[], Awaitable[bytes]] = lambda: request.content.read(CHUNK)  # noqa: E731
        if request.content_type.startswith("multipart/"):
            part = await (await request.multipart()).next()
            if not isinstance(part, BodyPartReader):
                raise FileRefused(400, "the multipart upload holds no file")
            name = name or part.filename or ""
            read = lambda: part.read_chunk(CHUNK)  # noqa: E731
        path = upload_path(self.files.diagnostics_dir, link.charge_point_id, name or "upload.bin",
                           time.time())
        private_folder(path.parent)
        partial = path.with_name(path.name + ".part")
        size, digest = 0, hashlib.sha256()
        try:
            with partial.open("wb") as out:
                while chunk := await read():
                    size += len(chunk)
                    if size > limit:
                        raise FileRefused(413, _too_large(limit))
                    digest.update(chunk)
                    out.write(chunk)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path, size, digest.hexdigest()

    def _record(self, link: Link, detail: dict[str, Any]) -> None:
        charger = self.hub.chargers.get(link.charge_point_id)
        job = charger.diagnostics_job if charger is not None else None
        if job is None or not owns(job, link.nonce):
            return  # e.g. a link from before a restart: the file is kept all the same
        job.uploads.append({"at": time.time(), **detail})
        if job.command_id is not None:
            self.hub.record_outcome(job.command_id, link.charge_point_id, "csms",
                                    "file_received", detail)


def _too_large(limit: int) -> str:
    return f"upload larger than {limit} bytes (the CSMS's --max-upload-bytes): nothing kept"
