"""OCPP's CertificateHashDataType of a certificate (what GetInstalledCertificateIds lists and
DeleteCertificate names): hashes of its issuer's name and key, and its serial number."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization


def hash_data(cert_pem: str, issuer_pem: str | None = None) -> dict[str, Any]:
    """SHA256 hash data of ``cert_pem``; its issuer is ``issuer_pem``, or itself (a root)."""
    cert = _load(cert_pem)
    issuer = _load(issuer_pem) if issuer_pem else cert
    # issuerKeyHash: the hash of the issuer's public key bits (as in OCSP's CertID)
    key_der = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    key_bits = _subject_public_key_bits(key_der)
    return {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": hashlib.sha256(cert.issuer.public_bytes()).hexdigest(),
        "issuerKeyHash": hashlib.sha256(key_bits).hexdigest(),
        "serialNumber": format(cert.serial_number, "x"),
    }


def _load(pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise ValueError(f"not a PEM certificate: {exc}") from None


def _subject_public_key_bits(spki_der: bytes) -> bytes:
    """The BIT STRING's content in a DER SubjectPublicKeyInfo (after its unused-bits byte)."""
    _, body = _tlv(spki_der, 0)  # SEQUENCE
    end_alg, _ = _tlv(spki_der, body)  # AlgorithmIdentifier
    _, bits = _tlv(spki_der, end_alg)  # BIT STRING
    return spki_der[bits + 1:]


def _tlv(der: bytes, at: int) -> tuple[int, int]:
    """(end of the element at ``at``, start of its content)."""
    length, start = der[at + 1], at + 2
    if length & 0x80:
        n = length & 0x7F
        length, start = int.from_bytes(der[start:start + n], "big"), start + n
    return start + length, start
