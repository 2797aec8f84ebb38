"""The CSMS's own small certificate authority: one self-signed root in the data folder that
signs chargers' client certificates (security profile 3: the charger is who its certificate's
common name says) from their CSRs (SignCertificate, ``cpo ca sign``), and the CSMS's own
server certificate (``cpo ca server-cert``).

The root key is written 0600 in a 0700 folder and never leaves it. Keys are ECDSA P-256 (OCPP's
minimum is RSA 2048 / ECDSA 224 bits, which :func:`check_key` holds CSRs to)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from csms_lite.security.errors import CaError, CsrRefused
from ingest.data_folder import DataFolder, private_folder, secret_file

ROOT_DAYS = 3650
LEAF_DAYS = 365
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224


@dataclass(frozen=True)
class CaFiles:
    cert: Path
    key: Path

    @classmethod
    def of(cls, data_dir: Path) -> CaFiles:
        folder = DataFolder(data_dir).ca_dir
        return cls(folder / "ca_cert.pem", folder / "ca_key.pem")

    def exists(self) -> bool:
        return self.cert.exists() and self.key.exists()


def _now() -> datetime:
    return datetime.now(UTC)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def init_ca(data_dir: Path, name: str = "cpo-workbench CSMS CA", force: bool = False) -> CaFiles:
    """Create the root (key 0600, certificate); refuses to replace one unless ``force`` (every
    certificate it signed would stop working)."""
    files = CaFiles.of(data_dir)
    if files.exists() and not force:
        raise CaError(f"a CA already exists in {files.cert.parent} (--force replaces it, and "
                      "every charger certificate it signed stops working)")
    DataFolder(data_dir).ensure()
    private_folder(files.cert.parent)
    key = new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        _builder(subject, subject, key.public_key(), ROOT_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    secret_file(files.key).write_bytes(key_pem(key))  # 0600 before the key is written
    files.cert.write_text(cert_pem(cert))
    os.chmod(files.cert, 0o644)
    return files


def _builder(subject: x509.Name, issuer: x509.Name, public_key: object, days: int
             ) -> x509.CertificateBuilder:
    now = _now()
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days)))


@dataclass(frozen=True)
class CertificateAuthority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @classmethod
    def load(cls, data_dir: Path) -> CertificateAuthority:
        files = CaFiles.of(data_dir)
        if not files.exists():
            raise CaError(f"no CA in {files.cert.parent}: create one with cpo ca init")
        try:
            cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
            key = serialization.load_pem_private_key(files.key.read_bytes(), None)
        except (ValueError, TypeError) as exc:
            raise CaError(f"cannot read the CA in {files.cert.parent}: {exc}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CaError(f"the CA key in {files.key} is not an ECDSA key")
        return cls(cert, key)

    @property
    def cert_pem(self) -> str:
        return cert_pem(self.cert)

    def sign_csr(self, csr_pem: str, expected_cn: str | None = None, days: int = LEAF_DAYS
                 ) -> str:
        """A client certificate (PEM) for the CSR's key and subject; :class:`CsrRefused` when
        the CSR is unreadable, not self-signed by its key, its key too weak, or its common name
        is not ``expected_cn`` (a charger may only get a certificate for its own id)."""
        csr = read_csr(csr_pem)
        cn = common_name(csr.subject)
        if expected_cn is not None and cn != expected_cn:
            raise CsrRefused(f"the CSR's common name is {cn!r}, not the charge point id "
                             f"{expected_cn!r}")
        if not cn:
            raise CsrRefused("the CSR has no common name (it must be the charge point id)")
        cert = (
            _builder(csr.subject, self.cert.subject, csr.public_key(), days)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return cert_pem(cert)

    def server_certificate(self, hosts: list[str], days: int = LEAF_DAYS) -> tuple[str, bytes]:
        """(certificate PEM, key PEM) for the CSMS's TLS endpoint, naming ``hosts`` (names or
        IP addresses) as subject alternative names."""
        if not hosts:
            raise CaError("give at least one host name or address for the server certificate")
        key = new_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
        cert = (
            _builder(subject, self.cert.subject, key.public_key(), days)
            .add_extension(x509.SubjectAlternativeName([_alt_name(h) for h in hosts]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return cert_pem(cert), key_pem(key)


def _alt_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def read_csr(csr_pem: str) -> x509.CertificateSigningRequest:
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError as exc:
        raise CsrRefused(f"not a PEM certificate signing request: {exc}") from None
    try:
        valid = csr.is_signature_valid
    except (InvalidSignature, ValueError):
        valid = False
    if not valid:
        raise CsrRefused("the CSR's signature does not match its key")
    check_key(csr.public_key())
    return csr


def check_key(key: object) -> None:
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size >= MIN_EC_BITS:
        return
    raise CsrRefused(f"the CSR's key is too weak or of an unknown kind (OCPP: RSA >= "
                     f"{MIN_RSA_BITS} or ECDSA >= {MIN_EC_BITS} bits)")


def common_name(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = attrs[0].value if attrs else ""
    return value if isinstance(value, str) else value.decode()
