"""Security profile 3 against profile 2 on one CSMS node, same run, same box (issue 19).

    uv run python bench/bench_sp3.py [--chargers 30] [--repeats 3] [--signs 30]

One node on loopback serves wss:// with ``--tls-client-ca`` (the CSMS's own CA, in a temporary
data folder). Per repeat, in rotating order: each of ``--chargers`` chargers opens one
connection with its CA-signed client certificate (SP3, no password), and with Basic auth over
TLS (SP2; the password verified once before, so the scrypt cache serves it, as for a charger
reconnecting), and a never-seen password (SP2 cold: one scrypt run each). Reported: median and
p95 of the time to an open WebSocket (TCP + TLS + HTTP upgrade), ms. Then ``--signs``
SignCertificate round trips on an open SP3 link: CSR sent -> CertificateSigned received, ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PASSWORD = "bench-password-0123"


def _csr(cp_id: str) -> tuple[Any, str]:
    """A charger's new key and its CSR (the charger's side, made here, not by the CSMS)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cp_id)])).sign(key, hashes.SHA256())
    return key, csr.public_bytes(serialization.Encoding.PEM).decode()


def _client(ca_cert: Path, ca: Any, cp_id: str, folder: Path) -> ssl.SSLContext:
    from cryptography.hazmat.primitives import serialization

    key, csr = _csr(cp_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{cp_id}.crt").write_text(ca.sign_csr(csr, cp_id))
    (folder / f"{cp_id}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    ctx = ssl.create_default_context(cafile=str(ca_cert))
    ctx.load_cert_chain(folder / f"{cp_id}.crt", folder / f"{cp_id}.key")
    return ctx


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _open(url: str, cp_id: str, ctx: ssl.SSLContext, password: str | None) -> float:
    from ingest.sim.link import open_link

    start = time.perf_counter()
    ws = await open_link(url, cp_id, "ocpp1.6", password, ssl_context=ctx)
    took = (time.perf_counter() - start) * 1000.0
    await ws.close()
    return took


async def _sign_round_trip(url: str, cp_id: str, ctx: ssl.SSLContext, csrs: list[str]
                           ) -> list[float]:
    from ingest.sim.link import open_link

    ws = await open_link(url, cp_id, "ocpp1.6", None, ssl_context=ctx)
    took = []
    for csr in csrs:
        start = time.perf_counter()
        await ws.send(json.dumps([2, uuid.uuid4().hex, "SignCertificate", {"csr": csr}]))
        while True:
            frame = json.loads(await ws.recv())
            if frame[0] == 2 and frame[2] == "CertificateSigned":
                took.append((time.perf_counter() - start) * 1000.0)
                await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                break
            if frame[0] != 3 or frame[2]["status"] != "Accepted":
                raise RuntimeError(f"SignCertificate not accepted: {frame}")
    await ws.close()
    return took


async def main(chargers: int, repeats: int, signs: int) -> dict[str, Any]:
    from csms_lite.config import CsmsConfig
    from csms_lite.registry.models import ChargePoint
    from csms_lite.registry.passwords import hash_password
    from csms_lite.security.ca import CaFiles, CertificateAuthority, init_ca
    from csms_lite.server.app import CsmsServer

    folder = Path(tempfile.mkdtemp(prefix="bench-sp3-"))
    data = folder / "data"
    init_ca(data)
    ca = CertificateAuthority.load(data)
    cert_pem, key_pem = ca.server_certificate(["127.0.0.1"])
    (folder / "s.crt").write_text(cert_pem)
    (folder / "s.key").write_bytes(key_pem)
    server = CsmsServer(CsmsConfig(data_dir=data, port=0, node_id="bench", log_frames=True,
                                   tls_cert=folder / "s.crt", tls_key=folder / "s.key",
                                   tls_client_ca=CaFiles.of(data).cert, rate_limit=0))
    await server.start()
    url = f"wss://127.0.0.1:{server.port}/ocpp"
    ca_cert = CaFiles.of(data).cert
    hashed = hash_password(PASSWORD)
    sp3: dict[str, ssl.SSLContext] = {}
    plain = ssl.create_default_context(cafile=str(ca_cert))
    for i in range(chargers):
        for kind in ("SP3", "SP2"):
            cp_id = f"{kind}-{i}"
            server.registry.add_charge_point(ChargePoint(cp_id, password_hash=hashed))
        sp3[f"SP3-{i}"] = _client(ca_cert, ca, f"SP3-{i}", folder / "chargers")
    for i in range(chargers):  # warm the verified-password cache: SP2 reconnects
        await _open(url, f"SP2-{i}", plain, PASSWORD)
    times: dict[str, list[float]] = {"SP3": [], "SP2 (cached password)": [],
                                     "SP2 (cold: scrypt)": []}
    order = list(times)
    for r in range(repeats):
        for variant in order[r % 3:] + order[:r % 3]:
            for i in range(chargers):
                if variant == "SP3":
                    took = await _open(url, f"SP3-{i}", sp3[f"SP3-{i}"], None)
                elif variant.startswith("SP2 (cached"):
                    took = await _open(url, f"SP2-{i}", plain, PASSWORD)
                else:
                    cold = f"COLD-{r}-{i}"
                    server.registry.add_charge_point(ChargePoint(cold, password_hash=hashed))
                    took = await _open(url, cold, plain, PASSWORD)
                times[variant].append(took)
    csrs = [_csr("SP3-0")[1] for _ in range(signs)]
    signed = await _sign_round_trip(url, "SP3-0", sp3["SP3-0"], csrs)
    await server.stop()
    out: dict[str, Any] = {"chargers": chargers, "repeats": repeats}
    for variant, values in {**times, "SignCertificate -> CertificateSigned": signed}.items():
        out[variant] = {"n": len(values), "median_ms": round(statistics.median(values), 2),
                        "p95_ms": round(_pct(values, 0.95), 2)}
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chargers", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--signs", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.chargers, args.repeats, args.signs)), indent=2))
