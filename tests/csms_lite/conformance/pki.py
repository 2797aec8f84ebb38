"""The charger's side of the PKI in the security scenarios: its own key and CSR (made with the
``cryptography`` package, never by the CSMS), its files, and its TLS client context."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csms_lite.security.ca import CertificateAuthority, init_ca


@dataclass
class Identity:
    """A charger's key, and the certificate it holds once one is signed."""

    key: ec.EllipticCurvePrivateKey
    cert_pem: str | None = None

    def csr(self, common_name: str) -> str:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test CPO")])
        csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(
            self.key, hashes.SHA256())
        return csr.public_bytes(serialization.Encoding.PEM).decode()

    def files(self, folder: Path, name: str) -> tuple[Path, Path]:
        assert self.cert_pem is not None, "no certificate signed yet"
        folder.mkdir(parents=True, exist_ok=True)
        cert, key = folder / f"{name}.crt", folder / f"{name}.key"
        cert.write_text(self.cert_pem)
        key.write_bytes(self.key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert, key

    def public_key_der(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def new_identity() -> Identity:
    return Identity(ec.generate_private_key(ec.SECP256R1()))


def signed_identity(ca: CertificateAuthority, common_name: str) -> Identity:
    ident = new_identity()
    ident.cert_pem = ca.sign_csr(ident.csr(common_name))
    return ident


def other_ca(folder: Path) -> CertificateAuthority:
    """A CA the CSMS does not trust."""
    init_ca(folder, "someone else's CA")
    return CertificateAuthority.load(folder)


def client_context(ca_cert: Path, identity: Identity | None, folder: Path, name: str
                   ) -> ssl.SSLContext:
    """Trusts the CSMS's CA for the server; shows ``identity``'s certificate when given."""
    ctx = ssl.create_default_context(cafile=str(ca_cert))
    if identity is not None:
        ctx.load_cert_chain(*identity.files(folder, name))
    return ctx


def public_key_der(cert_pem: str) -> bytes:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
