"""Typed commands of the security extension (1.6 whitepaper, 2.0.1 blocks A and M) and of the
2.0.1 device model (GetBaseReport, SetVariableMonitoring), per version. Each version declares
every command (csms_lite.commands.build); a builder refuses one its version lacks.

A 1.6 ExtendedTriggerMessage is a 2.0.1 TriggerMessage (which took its extra messages in)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from csms_lite.commands.params import Built, Command, Param
from csms_lite.commands.shared import MESSAGE
from csms_lite.security.hash_data import hash_data

Params = dict[str, Any]

ROOTS_16 = ("CentralSystemRootCertificate", "ManufacturerRootCertificate")
ROOTS_201 = ("V2GRootCertificate", "MORootCertificate", "CSMSRootCertificate",
             "ManufacturerRootCertificate")
IDS_201 = (*ROOTS_201[:3], "V2GCertificateChain", ROOTS_201[3])
SIGNED_201 = ("ChargingStationCertificate", "V2GCertificate")
REPORT_BASES = ("ConfigurationInventory", "FullInventory", "SummaryInventory")

CERTIFICATE = Param("certificate", "text", help="PEM certificate")
HASH_DATA = Param("hash_data", "object", help="certificateHashData as OCPP has it (hashAlgorithm, "
                  "issuerNameHash, issuerKeyHash, serialNumber)")
DELETE_HELP = "PEM of a root certificate to delete (its hash data is worked out); or hash_data"
CHAIN = Param("certificate_chain", "text", required=True, help="PEM, leaf first")


def _hash_data(p: Params) -> dict[str, Any]:
    if p.get("hash_data") is not None:
        return dict(p["hash_data"])
    if p.get("certificate"):
        return hash_data(p["certificate"])
    raise ValueError("give hash_data, or the certificate (PEM) to delete")


def _only_201(command: str, instead: str, params: tuple[Param, ...]) -> Command:
    """Takes the 2.0.1 parameters (none required), so what is refused is the version."""
    def refuse(p: Params) -> Built:
        raise ValueError(f"{command} is OCPP 2.0.1 only ({instead} in 1.6)")
    return Command(tuple(replace(p, required=False) for p in params), refuse)


# -- OCPP 1.6 (security whitepaper edition 3) -------------------------------------------------

def install_16(p: Params) -> Built:
    return "InstallCertificate", {"certificateType": p["certificate_type"],
                                  "certificate": p["certificate"]}


def installed_ids_16(p: Params) -> Built:
    return "GetInstalledCertificateIds", {"certificateType": p["certificate_type"]}


def delete(p: Params) -> Built:
    return "DeleteCertificate", {"certificateHashData": _hash_data(p)}


def extended_trigger_16(p: Params) -> Built:
    payload: dict[str, Any] = {"requestedMessage": p["message"]}
    if p.get("connector_id") is not None:
        payload["connectorId"] = p["connector_id"]
    return "ExtendedTriggerMessage", payload


def certificate_signed_16(p: Params) -> Built:
    return "CertificateSigned", {"certificateChain": p["certificate_chain"]}


def _install(roots: tuple[str, ...]) -> tuple[Param, ...]:
    """install_certificate's parameters: the versions differ only in their root types."""
    return (Param("certificate_type", "text", required=True, choices=roots),
            Param("certificate", "text", required=True, help="PEM certificate"))


DELETE_PARAMS = (HASH_DATA, Param("certificate", "text", help=DELETE_HELP))
CONNECTOR_16 = Param("connector_id", "int", help="connector (absent: the charge point)")

V16: dict[str, Command] = {
    "install_certificate": Command(_install(ROOTS_16), install_16),
    "get_installed_certificate_ids": Command((Param("certificate_type", "text", required=True,
                                                    choices=ROOTS_16),), installed_ids_16),
    "delete_certificate": Command(DELETE_PARAMS, delete),
    "extended_trigger_message": Command((MESSAGE, CONNECTOR_16), extended_trigger_16),
    "certificate_signed": Command((CHAIN,), certificate_signed_16),
}


# -- OCPP 2.0.1 -------------------------------------------------------------------------------

def install_201(p: Params) -> Built:
    return "InstallCertificate", {"certificateType": p["certificate_type"],
                                  "certificate": p["certificate"]}


def installed_ids_201(p: Params) -> Built:
    kind = p.get("certificate_type")
    return "GetInstalledCertificateIds", {"certificateType": [kind]} if kind else {}


def trigger_201(p: Params) -> Built:
    payload: dict[str, Any] = {"requestedMessage": p["message"]}
    if p.get("evse_id"):
        payload["evse"] = {"id": p["evse_id"]}
        if p.get("connector_id") is not None:
            payload["evse"]["connectorId"] = p["connector_id"]
    elif p.get("connector_id") is not None:
        raise ValueError("connector_id is a connector within an EVSE in OCPP 2.0.1: give "
                         "evse_id too")
    return "TriggerMessage", payload


def certificate_signed_201(p: Params) -> Built:
    payload = {"certificateChain": p["certificate_chain"]}
    if p.get("certificate_type"):
        payload["certificateType"] = p["certificate_type"]
    return "CertificateSigned", payload


def get_base_report(p: Params) -> Built:
    request_id = p.get("request_id") or secrets.randbelow(2**31 - 1) + 1
    return "GetBaseReport", {"requestId": request_id,
                             "reportBase": p.get("report_base") or "FullInventory"}


MONITOR_FIELDS = ("key", "type", "value", "severity")


def _monitor(m: dict[str, Any]) -> dict[str, Any]:
    missing = [f for f in MONITOR_FIELDS if m.get(f) is None]
    if missing:
        raise ValueError(f"each monitor needs {', '.join(MONITOR_FIELDS)}; missing "
                         f"{', '.join(missing)}")
    component, _, variable = str(m["key"]).partition(".")
    if not variable:
        raise ValueError(f"monitor key {m['key']!r} must be Component.Variable")
    item: dict[str, Any] = {"value": m["value"], "type": m["type"], "severity": m["severity"],
                            "component": {"name": component}, "variable": {"name": variable}}
    if m.get("evse_id"):
        item["component"]["evse"] = {"id": m["evse_id"]}
    for ours, theirs in (("id", "id"), ("transaction", "transaction")):
        if m.get(ours) is not None:
            item[theirs] = m[ours]
    return item


def set_variable_monitoring(p: Params) -> Built:
    monitors = p["monitors"]
    if not monitors:
        raise ValueError("give at least one monitor")
    return "SetVariableMonitoring", {"setMonitoringData": [_monitor(m) for m in monitors]}


EVSE = Param("evse_id", "int", help="EVSE (absent: the station)")

V201: dict[str, Command] = {
    "install_certificate": Command(_install(ROOTS_201), install_201),
    "get_installed_certificate_ids": Command((Param("certificate_type", "text", choices=IDS_201,
                                                    help="default: all"),), installed_ids_201),
    "delete_certificate": Command(DELETE_PARAMS, delete),
    "extended_trigger_message": Command((MESSAGE, EVSE, Param("connector_id", "int")),
                                        trigger_201),
    "certificate_signed": Command((CHAIN, Param("certificate_type", "text", choices=SIGNED_201)),
                                  certificate_signed_201),
    "get_base_report": Command((Param("report_base", "text", choices=REPORT_BASES,
                                      help="default FullInventory"),
                                Param("request_id", "int", help="default: a random one")),
                               get_base_report),
    "set_variable_monitoring": Command((Param("monitors", "objects", required=True,
                                              help="each {key: Component.Variable, type, value, "
                                                   "severity, evse_id?, id?, transaction?}"),),
                                       set_variable_monitoring),
}

V16["get_base_report"] = _only_201("get_base_report", "get_configuration",
                                   V201["get_base_report"].params)
V16["set_variable_monitoring"] = _only_201("set_variable_monitoring", "no monitoring",
                                           V201["set_variable_monitoring"].params)
