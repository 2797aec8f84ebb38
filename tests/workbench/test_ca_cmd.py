"""``cpo ca``: the CSMS's certificate authority from the command line (modes, refusals, a CSR
signed only for its own id, a server certificate the CA vouches for)."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from typer.testing import CliRunner

from csms_lite.security.ca import CaFiles
from tests.csms_lite.conformance.pki import new_identity
from workbench.cli import app

runner = CliRunner()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_sign_and_server_cert(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = runner.invoke(app, ["ca", "init", "--data-dir", str(data)])
    assert made.exit_code == 0, made.output
    files = CaFiles.of(data)
    assert made.output.strip() == str(files.cert)
    assert (_mode(files.key), _mode(files.cert.parent), _mode(data)) == (0o600, 0o700, 0o700)
    again = runner.invoke(app, ["ca", "init", "--data-dir", str(data)])
    assert again.exit_code == 2
    assert "a CA already exists" in again.output
    assert "Traceback" not in again.output

    csr = tmp_path / "cp.csr"
    csr.write_text(new_identity().csr("CP-7"))
    out = tmp_path / "cp.crt"
    signed = runner.invoke(app, ["ca", "sign", str(csr), "--id", "CP-7", "--out", str(out),
                                 "--data-dir", str(data)])
    assert signed.exit_code == 0, signed.output
    ca = x509.load_pem_x509_certificate(files.cert.read_bytes())
    x509.load_pem_x509_certificate(out.read_bytes()).verify_directly_issued_by(ca)
    wrong = runner.invoke(app, ["ca", "sign", str(csr), "--id", "CP-8", "--data-dir", str(data)])
    assert wrong.exit_code == 2
    assert "common name is 'CP-7', not the charge point id 'CP-8'" in wrong.output

    cert, key = tmp_path / "s.crt", tmp_path / "s.key"
    server = runner.invoke(app, ["ca", "server-cert", "--host", "127.0.0.1", "--host", "csms.lan",
                                 "--cert", str(cert), "--key", str(key), "--data-dir", str(data)])
    assert server.exit_code == 0, server.output
    assert _mode(key) == 0o600
    issued = x509.load_pem_x509_certificate(cert.read_bytes())
    issued.verify_directly_issued_by(ca)
    names = issued.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["csms.lan"]
    shown = runner.invoke(app, ["ca", "show", "--data-dir", str(data)])
    assert shown.output == files.cert.read_text()


def test_without_a_ca_or_with_a_bad_csr(tmp_path: Path) -> None:
    data = tmp_path / "data"
    csr = tmp_path / "bad.csr"
    csr.write_text("not a csr")
    missing = runner.invoke(app, ["ca", "sign", str(csr), "--data-dir", str(data)])
    assert missing.exit_code == 2
    assert "no CA in" in missing.output
    assert runner.invoke(app, ["ca", "show", "--data-dir", str(data)]).exit_code == 2
    runner.invoke(app, ["ca", "init", "--data-dir", str(data)])
    bad = runner.invoke(app, ["ca", "sign", str(csr), "--data-dir", str(data)])
    assert bad.exit_code == 2
    assert "not a PEM certificate signing request" in bad.output
