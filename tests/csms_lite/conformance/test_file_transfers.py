"""Firmware updates and diagnostics uploads (OCTT 1.6 tc044, tc045; the 2.0.1 station runs
them with its own names, signed firmware and GetLog): the command through the API, the CALL
the CSMS sent, the charger really fetching the image from the CSMS and uploading its log to
it over HTTP on loopback, the status notifications answered, the job's final state in the live
state, the ``commands`` rows and the file kept beside the lake."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import aiohttp
import polars as pl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from tests.conftest import Csms
from tests.csms_lite.conformance.file_transfers import LOG_TEXT
from tests.csms_lite.conformance.station import WAIT_S, Station
from tests.csms_lite.lake_helpers import table
from workbench.cli import app

IMAGE = bytes(range(256)) * 512  # 128 KiB, more than one HTTP chunk


def _image(csms: Csms, name: str = "fw-2.0.bin") -> Path:
    folder = csms.data_dir / "firmware"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(IMAGE)
    return folder / name


async def _live(s: Station) -> dict[str, Any]:
    async with aiohttp.ClientSession(headers=s.csms.api_headers) as http, http.get(
            f"{s.csms.api_url}/api/v1/chargers/{s.cp_id}") as resp:
        assert resp.status == 200
        live: dict[str, Any] = await resp.json()
        return live


async def _done(s: Station) -> None:
    """The charger's download or upload and every notification it sends about it, answered."""
    assert s.cp.work is not None
    await asyncio.wait_for(s.cp.work, WAIT_S)


async def _notified(s: Station, action: str) -> list[str]:
    statuses = [p["status"] for p in await s.frames(action, "in", 2)]
    assert await s.answered(action) == [{}] * len(statuses)
    return statuses


async def _rows(s: Station, command_id: str) -> pl.DataFrame:
    return (await table(s.csms, "commands")).filter(pl.col("command_id") == command_id)


def _history(job: dict[str, Any]) -> list[str]:
    return [h["status"] for h in job["history"]]


# -- firmware: OCPP 1.6 ------------------------------------------------------------------------

async def test_tc044_1_firmware_update_download_and_install(csms: Csms, cp16: Station) -> None:
    await cp16.boot()
    _image(csms)
    answer = await cp16.accepted("update_firmware", file="fw-2.0.bin",
                                 retrieve_date="2026-03-01T00:00:00Z", retries=3)
    assert answer["status"] is None  # 1.6 answers UpdateFirmware with an empty object
    [sent] = await cp16.sent("UpdateFirmware")
    assert sent["location"].startswith(f"{csms.api_url}/files/firmware/")
    assert sent["location"].endswith("/fw-2.0.bin")
    assert (sent["retrieveDate"], sent["retries"]) == ("2026-03-01T00:00:00.000Z", 3)
    await _done(cp16)
    assert cp16.cp.image == IMAGE  # fetched from the CSMS, whole
    statuses = await _notified(cp16, "FirmwareStatusNotification")
    assert statuses == ["Downloading", "Downloaded", "Installing", "Installed"]
    job = (await _live(cp16))["firmware_update"]
    assert (job["status"], job["final"], job["answer"]) == ("Installed", True, "Accepted")
    assert (job["command_id"], job["downloads"], _history(job)) == (
        answer["command_id"], 1, statuses)
    row, outcome = (await _rows(cp16, answer["command_id"])).rows(named=True)
    assert (row["action"], row["outcome"]) == ("UpdateFirmware", "answered")
    assert json.loads(row["request"]) == sent
    # what it achieved, once, when the job ended
    assert (outcome["action"], outcome["status"], outcome["requested_by"]) == (
        "Outcome", "installed", "csms")
    assert json.loads(outcome["request"]) == {"status": "Installed", "request_id": None,
                                              "statuses": statuses, "downloads": 1,
                                              "uploads": 0}


async def test_tc044_2_firmware_update_download_failed(csms: Csms, cp16: Station) -> None:
    """The charger cannot download: the location is a link the CSMS never signed (403)."""
    await cp16.boot()
    forged = f"{csms.api_url}/files/firmware/not-a-link.0123456789abcdef0123456789abcdef/x.bin"
    await cp16.accepted("update_firmware", location=forged)
    await _done(cp16)
    assert cp16.cp.image is None
    assert await _notified(cp16, "FirmwareStatusNotification") == ["Downloading",
                                                                  "DownloadFailed"]
    job = (await _live(cp16))["firmware_update"]
    assert (job["status"], job["final"], job["downloads"]) == ("DownloadFailed", True, 0)


async def test_tc044_3_firmware_update_installation_failed(csms: Csms, cp16: Station) -> None:
    await cp16.boot()
    _image(csms)
    cp16.script.status["Install"] = "InstallationFailed"
    await cp16.accepted("update_firmware", file="fw-2.0.bin")
    await _done(cp16)
    assert await _notified(cp16, "FirmwareStatusNotification") == [
        "Downloading", "Downloaded", "Installing", "InstallationFailed"]
    job = (await _live(cp16))["firmware_update"]
    assert (job["status"], job["final"], job["downloads"]) == ("InstallationFailed", True, 1)


async def test_update_firmware_names_an_image_the_csms_has(csms: Csms, any_cp: Station) -> None:
    _image(csms)
    code, answer = await any_cp.command("update_firmware", file="fw-9.bin")
    assert code == 400
    assert answer["error"].startswith("update_firmware: no firmware file 'fw-9.bin' in ")
    assert "(there: fw-2.0.bin)" in answer["error"]
    code, answer = await any_cp.command("update_firmware", file="../registry.sqlite")
    assert (code, "plain file name" in answer["error"]) == (400, True)
    code, answer = await any_cp.command("update_firmware")
    assert (code, answer["error"]) == (400, "update_firmware: give file (an image in "
                                            "<data>/firmware, served by the CSMS) or location")
    assert await any_cp.sent("UpdateFirmware") == []


# -- firmware: OCPP 2.0.1, signed ----------------------------------------------------------------

def _signing() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A firmware signing key and its self-signed certificate (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CPO firmware signing")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def _signature(key: ec.EllipticCurvePrivateKey, image: bytes) -> str:
    return base64.b64encode(key.sign(image, ec.ECDSA(hashes.SHA256()))).decode()


async def test_tc044_201_secure_firmware_update(csms: Csms, cs201: Station) -> None:
    """TC_L_01 style: the signed fields reach the station, which checks the image's signature
    with the signing certificate before it installs; every notification names the request."""
    await cs201.boot()
    _image(csms)
    key, pem = _signing()
    answer = await cs201.accepted(
        "update_firmware", file="fw-2.0.bin", request_id=41, signing_certificate=pem,
        signature=_signature(key, IMAGE), retrieve_date="2026-03-01T00:00:00Z",
        install_date="2026-03-01T02:00:00Z", retry_interval=60)
    assert answer["status"] == "Accepted"
    [sent] = await cs201.sent("UpdateFirmware")
    firmware = sent["firmware"]
    assert (sent["requestId"], sent["retryInterval"]) == (41, 60)
    assert (firmware["retrieveDateTime"], firmware["installDateTime"]) == (
        "2026-03-01T00:00:00.000Z", "2026-03-01T02:00:00.000Z")
    assert (firmware["signingCertificate"], firmware["signature"]) == (
        pem, _signature_of(sent))
    await _done(cs201)
    frames = await cs201.frames("FirmwareStatusNotification", "in", 2)
    assert {f["requestId"] for f in frames} == {41}
    assert [f["status"] for f in frames] == ["Downloading", "Downloaded", "SignatureVerified",
                                             "Installing", "Installed"]
    job = (await _live(cs201))["firmware_update"]
    assert (job["request_id"], job["status"], job["final"]) == (41, "Installed", True)
    assert job["command_id"] == answer["command_id"]
    await cs201.lake_command(answer, "UpdateFirmware", "Accepted")


def _signature_of(sent: dict[str, Any]) -> str:
    signature: str = sent["firmware"]["signature"]
    return signature


async def test_tc044_201_invalid_signature_download_failed_and_rejected(
    csms: Csms, cs201: Station,
) -> None:
    await cs201.boot()
    _image(csms)
    key, pem = _signing()
    await cs201.accepted("update_firmware", file="fw-2.0.bin", request_id=42,
                         signing_certificate=pem, signature=_signature(key, b"another image"))
    await _done(cs201)
    job = (await _live(cs201))["firmware_update"]
    assert (job["status"], job["final"], _history(job)) == (
        "InvalidSignature", True, ["Downloading", "Downloaded", "InvalidSignature"])

    await cs201.accepted("update_firmware", request_id=43,
                         location=f"{csms.api_url}/files/firmware/x.y/fw-2.0.bin")
    await _done(cs201)
    job = (await _live(cs201))["firmware_update"]
    assert (job["request_id"], job["status"], job["final"]) == (43, "DownloadFailed", True)

    cs201.script.status["UpdateFirmware"] = "Rejected"
    refused = await cs201.accepted("update_firmware", file="fw-2.0.bin", request_id=44)
    assert refused["status"] == "Rejected"
    job = (await _live(cs201))["firmware_update"]
    assert (job["request_id"], job["answer"], job["status"], job["final"]) == (
        44, "Rejected", None, True)


# -- diagnostics -------------------------------------------------------------------------------

async def _uploaded(s: Station, answer: dict[str, Any]) -> dict[str, Any]:
    """The upload's job, its file and its ``Outcome`` row, checked; the job."""
    job = (await _live(s))["diagnostics_upload"]
    assert (job["status"], job["final"], job["command_id"]) == ("Uploaded", True,
                                                                answer["command_id"])
    [kept] = job["uploads"]
    assert kept["bytes"] == len(LOG_TEXT)
    assert kept["sha256"] == hashlib.sha256(LOG_TEXT).hexdigest()
    path = s.csms.data_dir / kept["file"]
    assert path.parent == s.csms.data_dir / "diagnostics" / s.cp_id
    assert path.read_bytes() == LOG_TEXT
    outcomes = (await _rows(s, answer["command_id"])).filter(pl.col("action") == "Outcome")
    received, done = outcomes.sort("requested_at").rows(named=True)
    assert (received["status"], received["requested_by"]) == ("file_received", "csms")
    assert json.loads(received["request"]) == {k: kept[k] for k in ("file", "bytes", "sha256")}
    assert (done["status"], json.loads(done["request"])["uploads"]) == ("uploaded", 1)
    return dict(job)


async def test_tc045_1_get_diagnostics(csms: Csms, cp16: Station) -> None:
    """The charger POSTs its log (multipart) to the CSMS's upload link on loopback."""
    await cp16.boot()
    answer = await cp16.accepted("get_diagnostics", start_time="2026-03-01T00:00:00Z",
                                 retries=2)
    assert answer["response"] == {"fileName": "diagnostics.log"}
    [sent] = await cp16.sent("GetDiagnostics")
    assert sent["location"].startswith(f"{csms.api_url}/files/uploads/")
    assert (sent["startTime"], sent["retries"]) == ("2026-03-01T00:00:00.000Z", 2)
    await _done(cp16)
    assert await _notified(cp16, "DiagnosticsStatusNotification") == ["Uploading", "Uploaded"]
    job = await _uploaded(cp16, answer)
    assert job["file_name"] == "diagnostics.log"
    assert job["uploads"][0]["file"].endswith("_diagnostics.log")


async def test_tc045_2_get_diagnostics_upload_failed(csms: Csms, cp16: Station) -> None:
    await cp16.boot()
    await cp16.accepted("get_diagnostics", location=f"{csms.api_url}/files/uploads/forged.x")
    await _done(cp16)
    assert await _notified(cp16, "DiagnosticsStatusNotification") == ["Uploading",
                                                                     "UploadFailed"]
    job = (await _live(cp16))["diagnostics_upload"]
    assert (job["status"], job["final"], job["uploads"]) == ("UploadFailed", True, [])
    assert not (csms.data_dir / "diagnostics").exists()


async def test_tc045_201_get_log(csms: Csms, cs201: Station) -> None:
    """GetLog: the station PUTs its log to the upload link plus its file name."""
    await cs201.boot()
    answer = await cs201.accepted("get_diagnostics", request_id=7, log_type="diagnostics",
                                  stop_time="2026-03-02T00:00:00Z")
    assert (answer["status"], answer["response"]["filename"]) == ("Accepted", "station.log")
    [sent] = await cs201.sent("GetLog")
    assert (sent["logType"], sent["requestId"]) == ("DiagnosticsLog", 7)
    assert sent["log"]["remoteLocation"].startswith(f"{csms.api_url}/files/uploads/")
    assert sent["log"]["latestTimestamp"] == "2026-03-02T00:00:00.000Z"
    await _done(cs201)
    frames = await cs201.frames("LogStatusNotification", "in", 2)
    assert [(f["status"], f["requestId"]) for f in frames] == [("Uploading", 7), ("Uploaded", 7)]
    assert await cs201.answered("LogStatusNotification") == [{}, {}]
    job = await _uploaded(cs201, answer)
    assert job["request_id"] == 7
    assert job["uploads"][0]["file"].endswith("_station.log")


async def test_tc080_signed_firmware_update_1_6_security_extension(csms: Csms,
                                                                  cp16: Station) -> None:
    """A 1.6 update with a signature goes out as SignedUpdateFirmware; the charger checks the
    image against the signing certificate; SignedFirmwareStatusNotification ends the job."""
    await cp16.boot()
    _image(csms)
    key, pem = _signing()
    answer = await cp16.accepted("update_firmware", file="fw-2.0.bin", request_id=12,
                                 signing_certificate=pem, signature=_signature(key, IMAGE))
    assert answer["status"] == "Accepted"
    [sent] = await cp16.sent("SignedUpdateFirmware")
    assert sent["requestId"] == 12
    assert sent["firmware"]["signingCertificate"] == pem
    await _done(cp16)
    frames = await cp16.frames("SignedFirmwareStatusNotification", "in", 2)
    assert [(f["status"], f["requestId"]) for f in frames] == [
        (st, 12) for st in ("Downloading", "Downloaded", "SignatureVerified", "Installing",
                            "Installed")]
    job = (await _live(cp16))["firmware_update"]
    assert (job["action"], job["status"], job["final"], job["command_id"]) == (
        "SignedUpdateFirmware", "Installed", True, answer["command_id"])
    code, half = await cp16.command("update_firmware", file="fw-2.0.bin", signature="x")
    assert code == 400
    assert "both signing_certificate and signature" in half["error"]


async def test_tc079_get_security_log_1_6_security_extension(csms: Csms, cp16: Station) -> None:
    """A 1.6 get_diagnostics with a log_type is the security extension's GetLog: the charger
    POSTs the log to the CSMS's upload link, LogStatusNotification ends the job."""
    await cp16.boot()
    answer = await cp16.accepted("get_diagnostics", log_type="security", request_id=5)
    assert (answer["status"], answer["response"]["filename"]) == ("Accepted", "security.log")
    [sent] = await cp16.sent("GetLog")
    assert (sent["logType"], sent["requestId"]) == ("SecurityLog", 5)
    assert sent["log"]["remoteLocation"].startswith(f"{csms.api_url}/files/uploads/")
    await _done(cp16)
    frames = await cp16.frames("LogStatusNotification", "in", 2)
    assert [(f["status"], f["requestId"]) for f in frames] == [("Uploading", 5), ("Uploaded", 5)]
    job = await _uploaded(cp16, answer)
    assert job["uploads"][0]["file"].endswith("_security.log")


async def test_cpo_command_updates_firmware_and_fetches_diagnostics(
    csms: Csms, any_cp: Station,
) -> None:
    """``cpo command`` turns ``-p`` text into each parameter's kind and reaches the charger."""
    _image(csms)

    def cpo(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(app, ["command", any_cp.cp_id, *args, "--api-url",
                                          csms.api_url, "--data-dir", str(csms.data_dir)])
        assert result.exit_code == 0, result.output
        answer: dict[str, Any] = json.loads(result.output)
        return answer

    update = await asyncio.to_thread(cpo, "update_firmware", "-p", "file=fw-2.0.bin",
                                     "-p", "retries=2")
    assert update["outcome"] == "answered"
    await _done(any_cp)
    [sent] = await any_cp.sent("UpdateFirmware")
    assert sent["retries"] == 2
    assert (await _live(any_cp))["firmware_update"]["status"] == "Installed"
    diagnostics = await asyncio.to_thread(cpo, "get_diagnostics", "-p", "retry_interval=30")
    await _done(any_cp)
    assert (await _live(any_cp))["diagnostics_upload"]["command_id"] == diagnostics["command_id"]
    assert (await _live(any_cp))["diagnostics_upload"]["status"] == "Uploaded"
