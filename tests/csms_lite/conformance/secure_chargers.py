"""The scenario chargers plus the security extension and the 2.0.1 device model, as a
whitepaper charger does them: a triggered SignChargePointCertificate makes it send a CSR for
its own key, it keeps the certificate CertificateSigned brings, and it holds the root
certificates InstallCertificate gives it. Hash data are the charger's own (an OCSP CertID,
built by the ``cryptography`` package), not the CSMS's arithmetic."""

from __future__ import annotations

import asyncio
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp
from ocpp.routing import after, on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from tests.csms_lite.conformance.chargers import Charger16, Charger201
from tests.csms_lite.conformance.pki import Identity, new_identity

GEN_AT = "2026-03-01T12:00:00Z"


def hash_of(pem: str) -> dict[str, str]:
    """A root certificate's CertificateHashData, as the charger works it out."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, cert, hashes.SHA256()).build()
    return {"hash_algorithm": "SHA256", "issuer_name_hash": req.issuer_name_hash.hex(),
            "issuer_key_hash": req.issuer_key_hash.hex(),
            "serial_number": format(req.serial_number, "x")}


class Wallet:
    """The charger's certificates: installed roots by type, and its new identity."""

    def __init__(self) -> None:
        self.roots: dict[str, list[str]] = {}
        self.pending: Identity | None = None  # the key of the CSR in flight
        self.signed: list[str] = []  # chains CertificateSigned brought
        self.signed_event = asyncio.Event()
        self.sign_answer: Any = None
        self.answered = asyncio.Event()  # sign_answer is in

    def install(self, kind: str, pem: str) -> None:
        self.roots.setdefault(kind, []).append(pem)

    def hashes(self, kinds: list[str] | None) -> list[tuple[str, dict[str, str]]]:
        return [(k, hash_of(p)) for k, pems in self.roots.items()
                if kinds is None or k in kinds for p in pems]

    def delete(self, wanted: dict[str, str]) -> bool:
        for pems in self.roots.values():
            for pem in pems:
                if hash_of(pem) == wanted:
                    pems.remove(pem)
                    return True
        return False

    def new_csr(self, common_name: str) -> str:
        self.pending = new_identity()
        return self.pending.csr(common_name)

    def take(self, chain: str) -> None:
        self.signed.append(chain)
        if self.pending is not None:
            self.pending.cert_pem = chain
        self.signed_event.set()


def _snake(data: dict[str, Any]) -> dict[str, str]:
    keys = {"hashAlgorithm": "hash_algorithm", "issuerNameHash": "issuer_name_hash",
            "issuerKeyHash": "issuer_key_hash", "serialNumber": "serial_number"}
    return {keys.get(k, k): v for k, v in data.items()}


class SecureCharger16(Charger16):
    wallet: Wallet
    csr_name: str | None = None  # the common name its CSRs carry (default: its id)

    async def sign_certificate(self) -> Any:
        csr = self.wallet.new_csr(self.csr_name or self.id)
        self.wallet.sign_answer = await self.call(call16.SignCertificate(csr=csr))
        self.wallet.answered.set()
        return self.wallet.sign_answer

    @on(Action16.extended_trigger_message)
    def on_extended_trigger(self, requested_message: str, **kw: Any) -> Any:
        return result16.ExtendedTriggerMessage(self._answer(
            "ExtendedTriggerMessage", "Accepted", requested_message=requested_message, **kw))

    @after(Action16.extended_trigger_message)
    async def after_extended_trigger(self, requested_message: str, **kw: Any) -> None:
        if requested_message == "SignChargePointCertificate":
            await self.sign_certificate()

    @on(Action16.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, **kw: Any) -> Any:
        status = self._answer("CertificateSigned", "Accepted")
        if status == "Accepted":
            self.wallet.take(certificate_chain)
        return result16.CertificateSigned(status)

    @on(Action16.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str, **kw: Any) -> Any:
        status = self._answer("InstallCertificate", "Accepted", certificate_type=certificate_type)
        if status == "Accepted":
            self.wallet.install(certificate_type, certificate)
        return result16.InstallCertificate(status)

    @on(Action16.get_installed_certificate_ids)
    def on_installed_ids(self, certificate_type: str, **kw: Any) -> Any:
        self._got("GetInstalledCertificateIds", certificate_type=certificate_type)
        found = [h for _, h in self.wallet.hashes([certificate_type])]
        if not found:
            return result16.GetInstalledCertificateIds("NotFound")
        return result16.GetInstalledCertificateIds("Accepted", found)

    @on(Action16.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **kw: Any) -> Any:
        self._got("DeleteCertificate", certificate_hash_data=certificate_hash_data)
        deleted = self.wallet.delete(_snake(certificate_hash_data))
        return result16.DeleteCertificate("Accepted" if deleted else "NotFound")


class SecureCharger201(Charger201):
    wallet: Wallet
    csr_name: str | None = None
    monitors: list[dict[str, Any]]

    async def sign_certificate(self, kind: str | None = "ChargingStationCertificate") -> Any:
        csr = self.wallet.new_csr(self.csr_name or self.id)
        self.wallet.sign_answer = await self.call(call201.SignCertificate(
            csr=csr, certificate_type=kind))
        self.wallet.answered.set()
        return self.wallet.sign_answer

    @after(Action201.trigger_message)
    async def after_trigger(self, requested_message: str, **kw: Any) -> None:
        if requested_message == "SignChargingStationCertificate":
            await self.sign_certificate()

    @on(Action201.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, **kw: Any) -> Any:
        status = self._answer("CertificateSigned", "Accepted", **kw)
        if status == "Accepted":
            self.wallet.take(certificate_chain)
        return result201.CertificateSigned(status)

    @on(Action201.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str, **kw: Any) -> Any:
        status = self._answer("InstallCertificate", "Accepted", certificate_type=certificate_type)
        if status == "Accepted":
            self.wallet.install(certificate_type, certificate)
        return result201.InstallCertificate(status)

    @on(Action201.get_installed_certificate_ids)
    def on_installed_ids(self, certificate_type: list[str] | None = None, **kw: Any) -> Any:
        self._got("GetInstalledCertificateIds", certificate_type=certificate_type)
        found = self.wallet.hashes(certificate_type)
        if not found:
            return result201.GetInstalledCertificateIds("NotFound")
        return result201.GetInstalledCertificateIds("Accepted", certificate_hash_data_chain=[
            {"certificate_type": k, "certificate_hash_data": h} for k, h in found])

    @on(Action201.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **kw: Any) -> Any:
        self._got("DeleteCertificate", certificate_hash_data=certificate_hash_data)
        deleted = self.wallet.delete(_snake(certificate_hash_data))
        return result201.DeleteCertificate("Accepted" if deleted else "NotFound")

    # -- device model -----------------------------------------------------------------------

    @on(Action201.get_base_report)
    def on_get_base_report(self, request_id: int, report_base: str, **kw: Any) -> Any:
        return result201.GetBaseReport(self._answer("GetBaseReport", "Accepted",
                                                    request_id=request_id,
                                                    report_base=report_base))

    @after(Action201.get_base_report)
    async def after_get_base_report(self, request_id: int, report_base: str, **kw: Any
                                    ) -> None:
        if self.script.status.get("GetBaseReport", "Accepted") != "Accepted":
            return
        items = [_report_item(c, v, value) for (c, v), value in sorted(self.variables.items())]
        items.append({"component": {"name": "EVSE", "evse": {"id": 1}},
                      "variable": {"name": "Power"},
                      "variable_attribute": [{"type": "Actual", "value": "0",
                                              "mutability": "ReadOnly"},
                                             {"type": "MaxSet", "value": "22000"}],
                      "variable_characteristics": {"data_type": "decimal", "unit": "W",
                                                   "supports_monitoring": True}})
        half = len(items) // 2  # in two parts, as a station with a long report sends it
        for seq, (part, more) in enumerate(((items[:half], True), (items[half:], False))):
            await self.call(call201.NotifyReport(request_id=request_id, generated_at=GEN_AT,
                                                 seq_no=seq, report_data=part, tbc=more))

    @on(Action201.set_variable_monitoring)
    def on_set_variable_monitoring(self, set_monitoring_data: list[dict[str, Any]], **kw: Any
                                   ) -> Any:
        self._got("SetVariableMonitoring", set_monitoring_data=set_monitoring_data)
        results = []
        for m in set_monitoring_data:
            known = m["component"]["name"] in {c for c, _ in self.variables} | {"EVSE"}
            item = {"status": "Accepted" if known else "UnknownComponent", "type": m["type"],
                    "severity": m["severity"], "component": m["component"],
                    "variable": m["variable"]}
            if known:
                self.monitors.append(m)
                item["id"] = len(self.monitors)
            results.append(item)
        return result201.SetVariableMonitoring(set_monitoring_result=results)


def _report_item(component: str, variable: str, value: str) -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": variable},
            "variable_attribute": [{"type": "Actual", "value": value,
                                    "mutability": "ReadWrite"}],
            "variable_characteristics": {"data_type": "integer", "unit": "s",
                                         "supports_monitoring": False}}
