"""The CSMS's download and upload routes over HTTP on loopback: the signed link is the only
credential, uploads are size-limited (413, nothing kept), and no bearer token opens them."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import aiohttp
import pytest

from csms_lite.config import CsmsConfig
from csms_lite.errors import ConfigError
from csms_lite.files.routes import UPLOADS_PER_LINK
from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.test_handshake import self_signed  # noqa: F401  (a fixture)


async def _put(url: str, body: bytes, chunked: bool = False) -> tuple[int, dict[str, str]]:
    async def stream():  # type: ignore[no-untyped-def]
        yield body

    async with aiohttp.ClientSession() as http, http.put(
            url, data=stream() if chunked else body) as resp:
        return resp.status, await resp.json()


def _upload_url(csms: Csms, cp_id: str = "CP-1") -> str:
    token = csms.server.hub.files.links.mint("upload", cp_id, "", time.time() + 60)
    return f"{csms.api_url}/files/uploads/{token}"


async def test_an_upload_larger_than_the_limit_is_refused_with_413(
    make_csms: CsmsFactory,
) -> None:
    csms = await make_csms(max_upload_bytes=1000)
    url = _upload_url(csms)
    assert (await _put(f"{url}/small.log", b"x" * 1000))[0] == 201
    for chunked in (False, True):  # declared up front, or found out while reading
        status, answer = await _put(f"{url}/big.log", b"x" * 5000, chunked=chunked)
        assert status == 413
        assert answer["error"] == ("upload larger than 1000 bytes (the CSMS's "
                                   "--max-upload-bytes): nothing kept")
    kept = sorted(p.name for p in (csms.data_dir / "diagnostics" / "CP-1").iterdir())
    [only] = kept
    assert only.endswith("_small.log")


async def test_one_link_takes_a_few_uploads_not_a_full_disk(csms: Csms) -> None:
    url = _upload_url(csms)
    statuses = [(await _put(f"{url}/try.log", b"log"))[0] for _ in range(UPLOADS_PER_LINK + 1)]
    assert statuses == [201] * UPLOADS_PER_LINK + [429]
    assert (await _put(f"{_upload_url(csms)}/new.log", b"log"))[0] == 201  # a new link: fine


async def test_the_routes_take_only_links_this_csms_signed(csms: Csms) -> None:
    firmware = csms.data_dir / "firmware"
    firmware.mkdir()
    (firmware / "fw.bin").write_bytes(b"image")
    token = csms.server.hub.files.links.mint("firmware", "CP-1", "fw.bin", time.time() + 60)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{csms.api_url}/files/firmware/{token}/fw.bin") as resp:
            assert (resp.status, await resp.read()) == (200, b"image")
        async with http.get(f"{csms.api_url}/files/firmware/{token}/other.bin") as resp:
            assert resp.status == 403
        (firmware / "fw.bin").unlink()
        async with http.get(f"{csms.api_url}/files/firmware/{token}/fw.bin") as resp:
            assert resp.status == 404
        # an upload link does not download, a bearer token does not upload
        async with http.get(f"{_upload_url(csms)}/fw.bin".replace("uploads", "firmware")
                            ) as resp:
            assert resp.status == 403
        async with http.put(f"{csms.api_url}/files/uploads/x.y/a.log", data=b"log",
                            headers=csms.api_headers) as resp:
            assert resp.status == 403
    assert not (csms.data_dir / "diagnostics").exists()


async def test_firmware_links_are_https_when_the_api_is(
    make_csms: CsmsFactory, self_signed: tuple[Path, Path],  # noqa: F811
) -> None:
    cert, key = self_signed
    csms = await make_csms(api_tls_cert=cert, api_tls_key=key)
    csms.add_charger("CP-1")
    (csms.data_dir / "firmware").mkdir()
    (csms.data_dir / "firmware" / "fw.bin").write_bytes(b"image")
    req = csms.server.hub.request_for("CP-1", "update_firmware", {"file": "fw.bin"})
    location = req.payload["location"]
    assert location.startswith(f"https://127.0.0.1:{csms.server.api.port}/files/firmware/")
    trust = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession() as http, http.get(location, ssl=trust) as resp:
        assert (resp.status, await resp.read()) == (200, b"image")


async def test_files_url_names_the_address_chargers_reach(make_csms: CsmsFactory) -> None:
    csms = await make_csms(files_url="https://csms.example.com:8443/")
    req = csms.server.hub.request_for("CP-1", "get_diagnostics", {})
    assert req.payload["location"].startswith("https://csms.example.com:8443/files/uploads/")


def test_files_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--files-url must be an http:// or https:// address"):
        CsmsConfig(data_dir=tmp_path, files_url="ftp://csms.example.com")
