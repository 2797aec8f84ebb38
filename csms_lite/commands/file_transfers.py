"""UpdateFirmware, GetDiagnostics (1.6) and GetLog (2.0.1): parameters and CALLs. A 1.6
update with a signature is the security extension's SignedUpdateFirmware, and 1.6 diagnostics
with a ``log_type`` its GetLog.

``update_firmware -p file=NAME`` names an image in ``<data>/firmware``; the CSMS fills in
``location``, a signed link to it on its own HTTP(S) API (csms_lite.files.service), before the
builder runs. ``get_diagnostics`` without ``location`` gets the CSMS's own upload link. Times
are ISO 8601 (no offset: UTC), sent as UTC ``...Z``."""

from __future__ import annotations

import secrets
import time
from typing import Any

from csms_lite.commands.params import Built, Command, Param
from csms_lite.timefmt import parse_utc, utc_iso

Params = dict[str, Any]

FILE = Param("file", "text", help="an image in <data>/firmware: the CSMS serves it (or give "
                                  "location)")
LOCATION = Param("location", "text", help="a URL elsewhere (firmware: instead of file)")
UPLOAD_LOCATION = Param("location", "text", help="where to upload; default the CSMS's own "
                                                 "upload link")
RETRIEVE = Param("retrieve_date", "text", help="ISO 8601: not before; default now")
RETRIES = Param("retries", "int")
RETRY_INTERVAL = Param("retry_interval", "int", help="seconds")
START, STOP = (Param("start_time", "text", help="ISO 8601: oldest log entries"),
               Param("stop_time", "text", help="ISO 8601: latest log entries"))
REQUEST_ID = Param("request_id", "int", help="default a random one")
LOG_TYPE = Param("log_type", "text", choices=("diagnostics", "security"),
                 help="DiagnosticsLog (default) or SecurityLog")
SIGNED = (Param("install_date", "text", help="ISO 8601: install not before"),
          Param("signing_certificate", "text", help="PEM X.509 the image was signed with"),
          Param("signature", "text", help="base64 signature of the image"))


def utc_text(name: str, text: str) -> str:
    epoch = parse_utc(text)
    if epoch is None:
        raise ValueError(f"{name} {text!r} is no ISO 8601 time, e.g. 2026-03-01T18:00:00Z")
    return utc_iso(epoch)


def _location(p: Params, what: str) -> str:
    if not p.get("location"):
        raise ValueError(what)
    return str(p["location"])


def _retries(p: Params, payload: dict[str, Any]) -> dict[str, Any]:
    for key, name in (("retries", "retries"), ("retryInterval", "retry_interval")):
        if p.get(name) is not None:
            payload[key] = p[name]
    return payload


def _request_id(p: Params) -> int:
    return int(p.get("request_id") or secrets.randbelow(2**31 - 1) + 1)


def _retrieve(p: Params) -> str:
    text = p.get("retrieve_date")
    return utc_text("retrieve_date", text) if text else utc_iso(time.time())


NO_FIRMWARE = "give file (an image in <data>/firmware, served by the CSMS) or location"


def update_firmware_16(p: Params) -> Built:
    """UpdateFirmware; with a signature, the security extension's SignedUpdateFirmware."""
    if p.get("signing_certificate") or p.get("signature"):
        if not (p.get("signing_certificate") and p.get("signature")):
            raise ValueError("a signed update needs both signing_certificate and signature")
        return "SignedUpdateFirmware", _retries(p, _signed_firmware(p))
    payload = {"location": _location(p, NO_FIRMWARE), "retrieveDate": _retrieve(p)}
    return "UpdateFirmware", _retries(p, payload)


def update_firmware_201(p: Params) -> Built:
    return "UpdateFirmware", _retries(p, _signed_firmware(p))


def _signed_firmware(p: Params) -> dict[str, Any]:
    """``requestId`` and ``firmware``: 2.0.1 UpdateFirmware and 1.6 SignedUpdateFirmware."""
    firmware: dict[str, Any] = {"location": _location(p, NO_FIRMWARE),
                                "retrieveDateTime": _retrieve(p)}
    if p.get("install_date"):
        firmware["installDateTime"] = utc_text("install_date", p["install_date"])
    for key, name in (("signingCertificate", "signing_certificate"), ("signature", "signature")):
        if p.get(name):
            firmware[key] = p[name]
    return {"requestId": _request_id(p), "firmware": firmware}


NO_UPLOAD = "give location, or start the CSMS with its HTTP API (--api-port) to take uploads"


def get_diagnostics_16(p: Params) -> Built:
    """GetDiagnostics; with ``log_type``, the security extension's GetLog."""
    if p.get("log_type"):
        return get_log_201(p)
    payload: dict[str, Any] = {"location": _location(p, NO_UPLOAD)}
    for key, name in (("startTime", "start_time"), ("stopTime", "stop_time")):
        if p.get(name):
            payload[key] = utc_text(name, p[name])
    return "GetDiagnostics", _retries(p, payload)


def get_log_201(p: Params) -> Built:
    """GetLog (2.0.1, and 1.6 with the security extension: the same payload)."""
    log: dict[str, Any] = {"remoteLocation": _location(p, NO_UPLOAD)}
    for key, name in (("oldestTimestamp", "start_time"), ("latestTimestamp", "stop_time")):
        if p.get(name):
            log[key] = utc_text(name, p[name])
    kind = "SecurityLog" if p.get("log_type") == "security" else "DiagnosticsLog"
    return "GetLog", _retries(p, {"logType": kind, "requestId": _request_id(p), "log": log})


COMMANDS_16: dict[str, Command] = {
    "update_firmware": Command((FILE, LOCATION, RETRIEVE, RETRIES, RETRY_INTERVAL, *SIGNED,
                                REQUEST_ID), update_firmware_16),
    "get_diagnostics": Command((UPLOAD_LOCATION, START, STOP, RETRIES, RETRY_INTERVAL,
                                LOG_TYPE, REQUEST_ID), get_diagnostics_16),
}
COMMANDS_201: dict[str, Command] = {
    "update_firmware": Command((FILE, LOCATION, RETRIEVE, *SIGNED, REQUEST_ID, RETRIES,
                                RETRY_INTERVAL), update_firmware_201),
    "get_diagnostics": Command((UPLOAD_LOCATION, LOG_TYPE, START, STOP, REQUEST_ID, RETRIES,
                                RETRY_INTERVAL), get_log_201),
}
