"""``cpo ca ...``: the CSMS's certificate authority in the data folder (security profile 3).

``init`` creates it; ``sign`` turns a charger's CSR into its client certificate (the CSMS does
the same for a SignCertificate it receives); ``server-cert`` issues the CSMS's own wss://
certificate, which chargers trust through the CA's certificate (``show``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csms_lite.security.ca import CaFiles, CertificateAuthority, init_ca
from ingest.data_folder import secret_file
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

ca_app = typer.Typer(help="The CSMS's certificate authority: init, sign, server-cert, show.",
                     no_args_is_help=True)


@ca_app.command("init")
@friendly
def init(
    name: Annotated[str, typer.Option(help="The CA's common name.")] = "cpo-workbench CSMS CA",
    force: Annotated[bool, typer.Option(help="Replace an existing CA (its certificates stop "
                                        "working).")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create the CA: <data-dir>/ca/ca_key.pem (0600) and ca_cert.pem; prints the certificate's
    path (give it to cpo csms --tls-client-ca and to the chargers)."""
    files = init_ca(data_dir, name, force)
    typer.echo(str(files.cert))


@ca_app.command("sign")
@friendly
def sign(
    csr: Annotated[Path, typer.Argument(help="The charger's PEM certificate signing request.",
                                        exists=True, dir_okay=False)],
    charge_point: Annotated[
        str | None, typer.Option("--id", help="The charge point id the CSR's common name must "
                                 "be (default: not checked).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Validity in days.")] = 365,
    out: Annotated[Path | None, typer.Option(help="Write the certificate here, else "
                                             "stdout.", dir_okay=False)] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Sign a charger's CSR: a client certificate for security profile 3."""
    ca = CertificateAuthority.load(data_dir)
    pem = ca.sign_csr(csr.read_text(errors="replace"), charge_point, days)
    if out is None:
        typer.echo(pem, nl=False)
    else:
        out.write_text(pem)


@ca_app.command("server-cert")
@friendly
def server_cert(
    host: Annotated[list[str], typer.Option("--host", help="A name or address the CSMS is "
                                            "reached at; repeat for several.")],
    cert: Annotated[Path, typer.Option(help="Certificate file to write.", dir_okay=False)],
    key: Annotated[Path, typer.Option(help="Key file to write (mode 0600).", dir_okay=False)],
    days: Annotated[int, typer.Option(min=1, max=3650, help="Validity in days.")] = 365,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Issue the CSMS's TLS certificate (for --tls-cert/--tls-key), signed by the CA."""
    ca = CertificateAuthority.load(data_dir)
    cert_text, key_bytes = ca.server_certificate(host, days)
    secret_file(key).write_bytes(key_bytes)
    cert.write_text(cert_text)
    typer.echo(str(cert))


@ca_app.command("show")
def show(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Print the CA's certificate (PEM), for the chargers to trust."""
    files = CaFiles.of(data_dir)
    if not files.cert.exists():
        raise fail(f"no CA in {files.cert.parent}: create one with cpo ca init")
    typer.echo(files.cert.read_text(), nl=False)
