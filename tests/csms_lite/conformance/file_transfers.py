"""What a charger does with UpdateFirmware, GetDiagnostics (1.6) and GetLog (2.0.1): answers,
then really fetches the image from the location over HTTP, checks a 2.0.1 signature with the
signing certificate, and uploads its log to the location, telling each step in a status
notification. The scenario's script decides only what cannot be made to fail for real on
loopback: the install (``status["Install"]``). ``work`` is the background job, for the scenario
to await."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from ocpp.routing import after, on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

HTTP_S = 10.0
LOG_TEXT = b"2026-03-01T00:00:00Z INFO contactor cycles 1042\n" * 64


async def fetch(url: str) -> bytes | None:
    """The body at ``url``, or None when the server refuses it."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_S)) as http, \
            http.get(url) as resp:
        return await resp.read() if resp.status == 200 else None


async def upload(url: str, name: str, body: bytes, form: bool) -> bool:
    """POST a multipart form (as many 1.6 chargers do) or PUT the raw file to ``url/name``."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_S)) as http:
        if form:
            data = aiohttp.FormData()
            data.add_field("file", body, filename=name)
            async with http.post(url, data=data) as resp:
                return resp.status < 300
        async with http.put(f"{url}/{name}", data=body) as resp:
            return resp.status < 300


def signature_ok(image: bytes, certificate_pem: str, signature_b64: str) -> bool:
    """The image's ECDSA-SHA256 signature checked with the signing certificate's key."""
    key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    try:
        key.verify(base64.b64decode(signature_b64), image, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


class FileTransfers16:
    """Mixed into the conformance charger (its ``call``, ``_got`` and ``script``)."""

    script: Any
    work: asyncio.Task[None] | None = None
    image: bytes | None = None

    @on(Action16.update_firmware)
    def on_update_firmware(self, location: str, retrieve_date: str, **kw: Any) -> Any:
        self._got("UpdateFirmware", location=location, retrieve_date=retrieve_date)
        return result16.UpdateFirmware()

    @after(Action16.update_firmware)
    def after_update_firmware(self, location: str, **kw: Any) -> None:
        self.work = asyncio.get_running_loop().create_task(self._update(location))

    async def _firmware(self, status: str) -> None:
        await self.call(call16.FirmwareStatusNotification(status=status))

    async def _update(self, location: str) -> None:
        await self._firmware("Downloading")
        self.image = await fetch(location)
        if self.image is None:
            await self._firmware("DownloadFailed")
            return
        for status in ("Downloaded", "Installing", self.script.status.get("Install",
                                                                          "Installed")):
            await self._firmware(status)

    @on(Action16.get_diagnostics)
    def on_get_diagnostics(self, location: str, **kw: Any) -> Any:
        self._got("GetDiagnostics", location=location, **kw)
        return result16.GetDiagnostics(file_name="diagnostics.log")

    @after(Action16.get_diagnostics)
    def after_get_diagnostics(self, location: str, **kw: Any) -> None:
        self.work = asyncio.get_running_loop().create_task(self._upload(location))

    async def _upload(self, location: str) -> None:
        await self.call(call16.DiagnosticsStatusNotification(status="Uploading"))
        done = await upload(location, "diagnostics.log", LOG_TEXT, form=True)
        await self.call(call16.DiagnosticsStatusNotification(
            status="Uploaded" if done else "UploadFailed"))


    # -- the 1.6 security extension: SignedUpdateFirmware, GetLog -------------------------------

    @on(Action16.signed_update_firmware)
    def on_signed_update_firmware(self, request_id: int, firmware: dict[str, Any], **kw: Any
                                  ) -> Any:
        self._got("SignedUpdateFirmware", request_id=request_id, firmware=firmware)
        return result16.SignedUpdateFirmware(status="Accepted")

    @after(Action16.signed_update_firmware)
    def after_signed_update_firmware(self, request_id: int, firmware: dict[str, Any],
                                     **kw: Any) -> None:
        self.work = asyncio.get_running_loop().create_task(self._signed(request_id, firmware))

    async def _signed_status(self, status: str, request_id: int) -> None:
        await self.call(call16.SignedFirmwareStatusNotification(status=status,
                                                                request_id=request_id))

    async def _signed(self, request_id: int, firmware: dict[str, Any]) -> None:
        await self._signed_status("Downloading", request_id)
        self.image = await fetch(firmware["location"])
        if self.image is None:
            await self._signed_status("DownloadFailed", request_id)
            return
        await self._signed_status("Downloaded", request_id)
        if not signature_ok(self.image, firmware["signing_certificate"], firmware["signature"]):
            await self._signed_status("InvalidSignature", request_id)
            return
        for status in ("SignatureVerified", "Installing", "Installed"):
            await self._signed_status(status, request_id)

    @on(Action16.get_log)
    def on_get_log(self, log: dict[str, Any], log_type: str, request_id: int, **kw: Any) -> Any:
        self._got("GetLog", log=log, log_type=log_type, request_id=request_id)
        return result16.GetLog(status="Accepted", filename="security.log")

    @after(Action16.get_log)
    def after_get_log(self, log: dict[str, Any], request_id: int, **kw: Any) -> None:
        self.work = asyncio.get_running_loop().create_task(
            self._log(log["remote_location"], request_id))

    async def _log(self, location: str, request_id: int) -> None:
        await self.call(call16.LogStatusNotification(status="Uploading", request_id=request_id))
        done = await upload(location, "security.log", LOG_TEXT, form=True)
        await self.call(call16.LogStatusNotification(
            status="Uploaded" if done else "UploadFailure", request_id=request_id))


class FileTransfers201:
    script: Any
    work: asyncio.Task[None] | None = None
    image: bytes | None = None

    @on(Action201.update_firmware)
    def on_update_firmware(self, request_id: int, firmware: dict[str, Any], **kw: Any) -> Any:
        self._got("UpdateFirmware", request_id=request_id, firmware=firmware)
        return result201.UpdateFirmware(status=self.script.status.get("UpdateFirmware",
                                                                      "Accepted"))

    @after(Action201.update_firmware)
    def after_update_firmware(self, request_id: int, firmware: dict[str, Any], **kw: Any
                              ) -> None:
        if self.script.status.get("UpdateFirmware", "Accepted") == "Accepted":
            self.work = asyncio.get_running_loop().create_task(self._update(request_id,
                                                                            firmware))

    async def _firmware(self, status: str, request_id: int) -> None:
        await self.call(call201.FirmwareStatusNotification(status=status,
                                                           request_id=request_id))

    async def _update(self, request_id: int, firmware: dict[str, Any]) -> None:
        await self._firmware("Downloading", request_id)
        self.image = await fetch(firmware["location"])
        if self.image is None:
            await self._firmware("DownloadFailed", request_id)
            return
        await self._firmware("Downloaded", request_id)
        if "signature" in firmware:
            if not signature_ok(self.image, firmware["signing_certificate"],
                                firmware["signature"]):
                await self._firmware("InvalidSignature", request_id)
                return
            await self._firmware("SignatureVerified", request_id)
        for status in ("Installing", self.script.status.get("Install", "Installed")):
            await self._firmware(status, request_id)

    @on(Action201.get_log)
    def on_get_log(self, log: dict[str, Any], log_type: str, request_id: int, **kw: Any) -> Any:
        self._got("GetLog", log=log, log_type=log_type, request_id=request_id)
        return result201.GetLog(status="Accepted", filename="station.log")

    @after(Action201.get_log)
    def after_get_log(self, log: dict[str, Any], request_id: int, **kw: Any) -> None:
        self.work = asyncio.get_running_loop().create_task(
            self._upload(log["remote_location"], request_id))

    async def _upload(self, location: str, request_id: int) -> None:
        await self.call(call201.LogStatusNotification(status="Uploading",
                                                      request_id=request_id))
        done = await upload(location, "station.log", LOG_TEXT, form=False)
        await self.call(call201.LogStatusNotification(
            status="Uploaded" if done else "UploadFailure", request_id=request_id))
