"""Scenarios of the security extension (OCTT 1.6 security ids TC_074-TC_079; 2.0.1 TC_A_11
and block M), both versions where they share one: certificates installed, listed and deleted
by command, security events stored, SignCertificate answered by the CSMS's CA with a
CertificateSigned, and the 1.6 log and signed-firmware notifications accepted and tracked."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
import polars as pl
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_lite.security.ca import CertificateAuthority, init_ca
from tests.csms_lite.conformance.pki import other_ca, public_key_der
from tests.csms_lite.conformance.secure_chargers import hash_of
from tests.csms_lite.conformance.secure_station import SecureStation
from tests.csms_lite.conformance.station import WAIT_S
from tests.csms_lite.helpers.ocppj import events, wait_for
from tests.csms_lite.lake_helpers import table

ROOT = {"1.6": "CentralSystemRootCertificate", "2.0.1": "CSMSRootCertificate"}
TRIGGER = {"1.6": ("extended_trigger_message", "SignChargePointCertificate"),
           "2.0.1": ("extended_trigger_message", "SignChargingStationCertificate")}
BAD_CERT_EVENTS = {"1.6": ("InvalidChargePointCertificate", "InvalidCentralSystemCertificate"),
                   "2.0.1": ("InvalidChargingStationCertificate", "InvalidCsmsCertificate")}


def _camel(h: dict[str, str]) -> dict[str, str]:
    return {"hashAlgorithm": h["hash_algorithm"], "issuerNameHash": h["issuer_name_hash"],
            "issuerKeyHash": h["issuer_key_hash"], "serialNumber": h["serial_number"]}


def _roots(tmp_path: Path, n: int) -> list[str]:
    return [other_ca(tmp_path / f"root{i}").cert_pem for i in range(n)]


async def _api_get(s: SecureStation, path: str) -> Any:
    async with aiohttp.ClientSession(headers=s.csms.api_headers) as http, http.get(
        f"{s.csms.api_url}/api/v1/chargers/{s.cp_id}/{path}") as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_tc075_install_certificate(secure_cp: SecureStation, tmp_path: Path) -> None:
    s = secure_cp
    csms_root, maker_root = _roots(tmp_path, 2)
    first = await s.accepted("install_certificate", certificate_type=ROOT[s.version],
                             certificate=csms_root)
    second = await s.accepted("install_certificate", certificate_type="ManufacturerRootCertificate",
                              certificate=maker_root)
    assert (first["status"], second["status"]) == ("Accepted", "Accepted")
    assert s.wallet.roots == {ROOT[s.version]: [csms_root],
                              "ManufacturerRootCertificate": [maker_root]}
    assert (await s.sent("InstallCertificate"))[0] == {"certificateType": ROOT[s.version],
                                                       "certificate": csms_root}
    await s.lake_command(second, "InstallCertificate", "Accepted")


async def test_tc076_delete_a_specific_certificate(secure_cp: SecureStation,
                                                   tmp_path: Path) -> None:
    s = secure_cp
    keep, drop = _roots(tmp_path, 2)
    for pem in (keep, drop):
        await s.accepted("install_certificate", certificate_type=ROOT[s.version], certificate=pem)
    listed = await s.accepted("get_installed_certificate_ids",
                              certificate_type=ROOT[s.version])
    if s.version == "1.6":
        found = listed["response"]["certificateHashData"]
    else:
        found = [c["certificateHashData"] for c in
                 listed["response"]["certificateHashDataChain"]]
    assert found == [_camel(hash_of(keep)), _camel(hash_of(drop))]
    # by the certificate: the CSMS works out its hash data, which the charger recognises
    deleted = await s.accepted("delete_certificate", certificate=drop)
    again = await s.accepted("delete_certificate", hash_data=_camel(hash_of(drop)))
    assert (deleted["status"], again["status"]) == ("Accepted", "NotFound")
    assert s.wallet.roots[ROOT[s.version]] == [keep]
    await s.lake_command(again, "DeleteCertificate", "NotFound")
    code, refused = await s.command("delete_certificate")
    assert code == 400
    assert "give hash_data, or the certificate" in refused["error"]


async def test_tc077_tc078_invalid_certificate_security_events(
        secure_cp: SecureStation, caplog: pytest.LogCaptureFixture) -> None:
    s = secure_cp
    caplog.set_level(logging.INFO, logger="csms_lite.security.handlers")
    calls = call16 if s.version == "1.6" else call201
    for kind in BAD_CERT_EVENTS[s.version]:
        answer = await asyncio.wait_for(s.cp.call(calls.SecurityEventNotification(
            type=kind, timestamp="2026-03-01T12:00:00Z", tech_info=f"{kind} at boot")), WAIT_S)
        assert answer is not None  # a CALLRESULT: the ocpp package raises on a CALLERROR
    seen = await _api_get(s, "security-events")
    assert [(e["type"], e["tech_info"]) for e in seen["events"]] == [
        (k, f"{k} at boot") for k in BAD_CERT_EVENTS[s.version]]
    assert seen["events_total"] == 2
    # stored: the lake has both, answered
    stored = await s.frames("SecurityEventNotification", "in", 2)
    assert [e["type"] for e in stored] == list(BAD_CERT_EVENTS[s.version])
    assert await s.answered("SecurityEventNotification") == [{}, {}]
    kind = BAD_CERT_EVENTS[s.version][0]
    assert f"security event from {s.cp_id}: {kind} ({kind} at boot)" in caplog.messages


async def test_tc074_tca11_sign_certificate_by_request_of_the_csms(secure_cp: SecureStation
                                                                   ) -> None:
    s = secure_cp
    init_ca(s.csms.data_dir)
    ca = CertificateAuthority.load(s.csms.data_dir)
    command, message = TRIGGER[s.version]
    trigger = await s.accepted(command, message=message)
    assert trigger["status"] == "Accepted"
    await asyncio.wait_for(s.wallet.signed_event.wait(), WAIT_S)
    # CertificateSigned follows the CSMS's answer at once: its handler can run before the
    # charger's own SignCertificate call has returned that answer to the triggering task
    await asyncio.wait_for(s.wallet.answered.wait(), WAIT_S)
    assert s.wallet.sign_answer.status == "Accepted"
    [chain] = s.wallet.signed
    cert = x509.load_pem_x509_certificate(chain.encode())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == s.cp_id
    assert s.wallet.pending is not None
    assert public_key_der(chain) == s.wallet.pending.public_key_der()  # the CSR's own key
    cert.verify_directly_issued_by(ca.cert)
    [sent] = await s.sent("CertificateSigned")
    if s.version == "2.0.1":  # A02.FR.14: the type the station asked for
        assert sent["certificateType"] == "ChargingStationCertificate"
    rows = await _command_rows(s, "CertificateSigned")
    assert [(r["requested_by"], r["status"], r["outcome"]) for r in rows] == [
        ("csms", "Accepted", "answered")]
    assert s.live().security.signing.status == "signed"


async def _command_rows(s: SecureStation, action: str) -> list[dict[str, Any]]:
    async def written() -> bool:
        df = await table(s.csms, "commands")
        return df.filter((pl.col("action") == action)
                         & (pl.col("charge_point_id") == s.cp_id)).height > 0

    await wait_for(written, within=WAIT_S)
    df = await table(s.csms, "commands")
    return df.filter((pl.col("action") == action)
                     & (pl.col("charge_point_id") == s.cp_id)).to_dicts()


async def test_sign_certificate_refused_without_a_ca_and_for_another_identity(
        secure_cp: SecureStation) -> None:
    s = secure_cp
    no_ca = await asyncio.wait_for(s.secure.sign_certificate(), WAIT_S)
    assert no_ca.status == "Rejected"
    assert "cpo ca init" in (s.live().security.signing.reason or "")
    init_ca(s.csms.data_dir)
    s.secure.csr_name = "SOMEONE-ELSE"
    other = await asyncio.wait_for(s.secure.sign_certificate(), WAIT_S)
    assert other.status == "Rejected"
    await asyncio.sleep(0.2)  # a CertificateSigned would have been queued at once
    assert await s.sent("CertificateSigned") == []
    flagged = (await events(s.csms, s.cp_id)).filter(pl.col("event") == "flagged")
    assert flagged.height == 1
    assert "'SOMEONE-ELSE', not the charge point id" in flagged["reason"][0]
    assert s.wallet.signed == []


async def test_tca11_v2g_certificate_is_refused(csms: Any) -> None:
    from tests.csms_lite.conformance.secure_station import secure_station

    s = secure_station(csms, "2.0.1")
    await s.connect()
    await s.boot()
    init_ca(csms.data_dir)
    answer = await asyncio.wait_for(s.secure.sign_certificate("V2GCertificate"), WAIT_S)
    assert answer.status == "Rejected"
    assert "V2G PKI" in (s.live().security.signing.reason or "")
    await s.disconnect()


async def test_v16_log_and_signed_firmware_status_notifications_are_tracked(csms: Any) -> None:
    """Answered (no NotSupported any more) and tracked as their plain 1.6 counterparts."""
    from tests.csms_lite.conformance.secure_station import secure_station

    s = secure_station(csms, "1.6")
    await s.connect()
    await s.boot()
    for status in ("Uploading", "Uploaded"):
        await asyncio.wait_for(s.cp.call(call16.LogStatusNotification(status=status,
                                                                      request_id=7)), WAIT_S)
    for status in ("Downloading", "InvalidSignature"):
        await asyncio.wait_for(s.cp.call(call16.SignedFirmwareStatusNotification(
            status=status, request_id=8)), WAIT_S)
    live = s.live()
    assert (live.diagnostics_status, live.firmware_status) == ("Uploaded", "InvalidSignature")
    assert await s.answered("LogStatusNotification") == [{}, {}]
    assert await s.answered("SignedFirmwareStatusNotification") == [{}, {}]
    rows = await s.frames("SignedFirmwareStatusNotification", "in", 2)
    assert [json.dumps(r, sort_keys=True) for r in rows][-1] == json.dumps(
        {"requestId": 8, "status": "InvalidSignature"}, sort_keys=True)
    await s.disconnect()


async def test_certificate_signed_sent_by_the_operator(secure_cp: SecureStation) -> None:
    """A certificate signed elsewhere (``cpo ca sign``) handed to the charger by command."""
    s = secure_cp
    init_ca(s.csms.data_dir)
    ca = CertificateAuthority.load(s.csms.data_dir)
    chain = ca.sign_csr(s.wallet.new_csr(s.cp_id), s.cp_id)
    params: dict[str, Any] = {"certificate_chain": chain}
    if s.version == "2.0.1":
        params["certificate_type"] = "ChargingStationCertificate"
    answer = await s.accepted("certificate_signed", **params)
    assert answer["status"] == "Accepted"
    assert s.wallet.signed == [chain]
    s.script.status["CertificateSigned"] = "Rejected"
    refused = await s.accepted("certificate_signed", certificate_chain=chain)
    assert refused["status"] == "Rejected"
    assert (await s.sent("CertificateSigned"))[0] == {
        "certificateChain": chain, **({"certificateType": "ChargingStationCertificate"}
                                      if s.version == "2.0.1" else {})}
    await s.lake_command(refused, "CertificateSigned", "Rejected")


async def test_get_installed_certificate_ids_of_every_type_201(csms: Any, tmp_path: Path
                                                               ) -> None:
    from tests.csms_lite.conformance.secure_station import secure_station

    s = secure_station(csms, "2.0.1")
    await s.connect()
    await s.boot()
    empty = await s.accepted("get_installed_certificate_ids")
    assert empty["status"] == "NotFound"
    csms_root, maker_root = _roots(tmp_path, 2)
    await s.accepted("install_certificate", certificate_type="CSMSRootCertificate",
                     certificate=csms_root)
    await s.accepted("install_certificate", certificate_type="ManufacturerRootCertificate",
                     certificate=maker_root)
    listed = await s.accepted("get_installed_certificate_ids")
    assert [c["certificateType"] for c in listed["response"]["certificateHashDataChain"]] == [
        "CSMSRootCertificate", "ManufacturerRootCertificate"]
    assert (await s.sent("GetInstalledCertificateIds"))[-1] == {}
    code, bad = await s.command("install_certificate",
                                certificate_type="CentralSystemRootCertificate",
                                certificate=csms_root)
    assert code == 400
    assert "certificate_type must be one of V2GRootCertificate" in bad["error"]
    await s.disconnect()
