"""The CSMS's download and upload routes over HTTP on loopback: the signed link is the only
credential, uploads are size-limited (413, nothing kept), and no bearer token opens them."""

from __future__ import annotations

import time

import aiohttp

from tests.conftest import Csms, CsmsFactory


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
