"""Security profile 3 on loopback: mutual TLS, the charger identified by its client certificate
(OCTT 1.6 TC_074 and TC_087; 2.0.1 TC_A_11 with the reconnect). The CSMS's CA in its data
folder signs the chargers' certificates and the CSMS's own server certificate."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from websockets.exceptions import InvalidMessage, InvalidStatus

from csms_lite.errors import ConfigError
from csms_lite.security.ca import CaFiles, CertificateAuthority, init_ca
from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.conformance.pki import (
    Identity,
    client_context,
    other_ca,
    signed_identity,
)
from tests.csms_lite.conformance.secure_station import SecureStation, secure_station, wss_url
from tests.csms_lite.conformance.station import WAIT_S
from tests.csms_lite.helpers.ocppj import events, wait_for

Connect = Callable[..., Awaitable[SecureStation]]


@dataclass
class Pki:
    csms: Csms
    ca: CertificateAuthority
    ca_cert: Path
    folder: Path

    def station(self, version: str, identity: Identity | None, cp_id: str | None = None,
                password: str | None = None) -> SecureStation:
        s = secure_station(self.csms, version, cp_id, password=password,
                           base_url=wss_url(self.csms))
        s.ssl_context = client_context(self.ca_cert, identity, self.folder, s.cp_id)
        return s


async def _pki(make_csms: CsmsFactory, tmp_path: Path, **config: Any) -> Pki:
    data = tmp_path / "data"  # make_csms's data folder: the CA lives in it
    files = init_ca(data)
    ca = CertificateAuthority.load(data)
    cert_pem, key_pem = ca.server_certificate(["127.0.0.1"])
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    cert.write_text(cert_pem)
    key.write_bytes(key_pem)
    csms = await make_csms(tls_cert=cert, tls_key=key, tls_client_ca=files.cert, **config)
    return Pki(csms, ca, files.cert, tmp_path / "chargers")


@pytest.fixture
async def pki(make_csms: CsmsFactory, tmp_path: Path) -> Pki:
    return await _pki(make_csms, tmp_path)


@pytest.fixture
async def strict_pki(make_csms: CsmsFactory, tmp_path: Path) -> Pki:
    return await _pki(make_csms, tmp_path, require_client_cert=True)


async def _refused(s: SecureStation) -> int:
    with pytest.raises(InvalidStatus) as info:
        await s.connect()
    return info.value.response.status_code


async def _rejected_reasons(csms: Csms, cp_id: str, count: int) -> list[str]:
    async def logged() -> bool:
        df = (await events(csms, cp_id)).filter(pl.col("event") == "rejected")
        return df.height >= count

    await wait_for(logged, within=WAIT_S)
    df = (await events(csms, cp_id)).filter(pl.col("event") == "rejected")
    return [str(r) for r in df["reason"].to_list()]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_tc087_client_certificate_valid(strict_pki: Pki, version: str) -> None:
    s = strict_pki.station(version, signed_identity(strict_pki.ca, "CP-SP3"), "CP-SP3")
    await s.connect()  # no password: the certificate is the credential
    boot = await s.boot()
    assert boot.status == "Accepted"
    ssl_object = s._ws.transport.get_extra_info("ssl_object")
    assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
    await s.disconnect()
    connects = (await events(strict_pki.csms, "CP-SP3")).filter(pl.col("event") == "connect")
    assert connects["reason"].to_list() == ["client certificate"]


async def test_sp3_refuses_a_charger_without_a_certificate_when_required(strict_pki: Pki
                                                                         ) -> None:
    from tests.conftest import PASSWORD

    s = strict_pki.station("1.6", None, "CP-NOCERT", password=PASSWORD)
    assert await _refused(s) == 401  # the right password does not replace the certificate
    [reason] = await _rejected_reasons(strict_pki.csms, "CP-NOCERT", 1)
    assert reason == "no client certificate (security profile 3 required)"


async def test_sp3_without_a_certificate_falls_back_to_basic_auth(pki: Pki) -> None:
    from tests.conftest import PASSWORD

    s = pki.station("2.0.1", None, "CP-SP2", password=PASSWORD)
    await s.connect()
    assert (await s.boot()).status == "Accepted"
    await s.disconnect()
    connects = (await events(pki.csms, "CP-SP2")).filter(pl.col("event") == "connect")
    assert connects["reason"].to_list() == [None]  # Basic auth
    nobody = pki.station("2.0.1", None, "CP-SP2B")
    assert await _refused(nobody) == 401  # neither a certificate nor a password


async def test_sp3_refuses_a_certificate_for_another_charger(pki: Pki) -> None:
    secure_station(pki.csms, "1.6", "CP-A")
    thief = pki.station("1.6", signed_identity(pki.ca, "CP-A"), "CP-B")
    assert await _refused(thief) == 401
    [reason] = await _rejected_reasons(pki.csms, "CP-B", 1)
    assert reason == "client certificate is for 'CP-A', not 'CP-B'"


async def test_sp3_refuses_a_certificate_of_another_ca(pki: Pki, tmp_path: Path) -> None:
    forged = signed_identity(other_ca(tmp_path / "elsewhere"), "CP-F")
    s = pki.station("1.6", forged, "CP-F")
    # refused by TLS itself (TLS 1.3: the client learns it as the link closes before any HTTP
    # answer), so never an HTTP status
    with pytest.raises((ssl.SSLError, ConnectionError, EOFError, InvalidMessage)):
        await s.connect()
    # and the node still serves the real thing afterwards
    ok = pki.station("1.6", signed_identity(pki.ca, "CP-F"), "CP-F")
    await ok.connect()
    assert (await ok.boot()).status == "Accepted"
    await ok.disconnect()
    rows = await events(pki.csms, "CP-F")
    assert rows["event"].to_list() == ["connect", "disconnect"]  # the forger never got to HTTP


async def test_sp3_refuses_an_unknown_charger_with_a_valid_certificate(pki: Pki) -> None:
    s = pki.station("1.6", signed_identity(pki.ca, "CP-GONE"), "CP-GONE")
    pki.csms.server.registry.remove_charge_point("CP-GONE")
    assert await _refused(s) == 401
    [reason] = await _rejected_reasons(pki.csms, "CP-GONE", 1)
    assert reason == "unknown charge point"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_tc074_tca11_new_certificate_by_sign_certificate_then_reconnect(
        strict_pki: Pki, version: str) -> None:
    """The charger renews its certificate through SignCertificate and reconnects with it."""
    cp_id = f"CP-RENEW-{version}"
    s = strict_pki.station(version, signed_identity(strict_pki.ca, cp_id), cp_id)
    await s.connect()
    await s.boot()
    message = ("SignChargePointCertificate" if version == "1.6"
               else "SignChargingStationCertificate")
    assert (await s.accepted("extended_trigger_message", message=message))["status"] == "Accepted"
    await asyncio.wait_for(s.wallet.signed_event.wait(), WAIT_S)
    renewed = s.wallet.pending
    assert renewed is not None
    assert renewed.cert_pem is not None
    await s.disconnect()
    # step 7-8: the new key and certificate open the next connection
    s.ssl_context = client_context(strict_pki.ca_cert, renewed, strict_pki.folder, "renewed")
    await s.connect()
    assert (await s.boot()).status == "Accepted"
    await s.disconnect()


def test_sp3_options_are_checked(tmp_path: Path) -> None:
    from csms_lite.config import CsmsConfig

    with pytest.raises(ConfigError, match="--tls-client-ca needs --tls-cert"):
        CsmsConfig(data_dir=tmp_path, tls_client_ca=CaFiles.of(tmp_path).cert)
    with pytest.raises(ConfigError, match="--require-client-cert needs --tls-client-ca"):
        CsmsConfig(data_dir=tmp_path, require_client_cert=True)
