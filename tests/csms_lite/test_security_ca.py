"""The CSMS's CA on its own: what CSRs it refuses, what it issues, and hash data that match an
OCSP CertID built by the ``cryptography`` package."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from csms_lite.security.ca import CertificateAuthority, init_ca
from csms_lite.security.errors import CsrRefused
from csms_lite.security.hash_data import hash_data
from tests.csms_lite.conformance.pki import new_identity


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    init_ca(tmp_path)
    return CertificateAuthority.load(tmp_path)


def _rsa_csr(bits: int, cn: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def test_a_client_certificate_for_the_csrs_key_and_name(ca: CertificateAuthority) -> None:
    ident = new_identity()
    cert = x509.load_pem_x509_certificate(ca.sign_csr(ident.csr("CP-1"), "CP-1").encode())
    cert.verify_directly_issued_by(ca.cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-1"
    assert cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == ident.public_key_der()
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_csrs_it_refuses(ca: CertificateAuthority) -> None:
    with pytest.raises(CsrRefused, match="too weak"):
        ca.sign_csr(_rsa_csr(1024, "CP-1"))
    assert ca.sign_csr(_rsa_csr(2048, "CP-1"), "CP-1").startswith("-----BEGIN CERTIFICATE")
    with pytest.raises(CsrRefused, match="not a PEM certificate signing request"):
        ca.sign_csr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST---")
    with pytest.raises(CsrRefused, match="'CP-2', not the charge point id 'CP-1'"):
        ca.sign_csr(new_identity().csr("CP-2"), "CP-1")
    # a CSR whose signature is not its key's: the public key swapped for another one
    good = x509.load_pem_x509_csr(new_identity().csr("CP-1").encode())
    der = bytearray(good.public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF  # inside the signature
    forged = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(CsrRefused, match="signature does not match"):
        ca.sign_csr(forged.decode())


def test_hash_data_is_the_ocsp_cert_id(ca: CertificateAuthority) -> None:
    leaf_pem = ca.sign_csr(new_identity().csr("CP-1"))
    leaf = x509.load_pem_x509_certificate(leaf_pem.encode())
    for cert, issuer, got in ((ca.cert, ca.cert, hash_data(ca.cert_pem)),
                              (leaf, ca.cert, hash_data(leaf_pem, ca.cert_pem))):
        req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
        assert got == {"hashAlgorithm": "SHA256", "issuerNameHash": req.issuer_name_hash.hex(),
                       "issuerKeyHash": req.issuer_key_hash.hex(),
                       "serialNumber": format(req.serial_number, "x")}
    with pytest.raises(ValueError, match="not a PEM certificate"):
        hash_data("nope")
