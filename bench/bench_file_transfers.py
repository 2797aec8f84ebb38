"""Firmware downloads and diagnostics uploads through a real CSMS on loopback: MB/s each way
and the CSMS process's peak RSS growth while a large upload streams in (it is written in 64 KiB
chunks, never held whole), plus the time to refuse an over-limit upload.

    uv run python bench/bench_file_transfers.py --mib 48
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from pathlib import Path

import aiohttp

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _body(size: int, chunk: int = 1 << 20):  # type: ignore[no-untyped-def]
    block = os.urandom(chunk)
    for _ in range(size // chunk):
        yield block


async def run(mib: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = CsmsConfig(data_dir=Path(tmp) / "data", port=0, api_port=0, node_id="bench",
                            max_upload_bytes=(mib + 1) << 20)
        server = CsmsServer(config)
        await server.start()
        try:
            files = server.hub.files
            base = f"http://127.0.0.1:{server.api.port}"
            upload = files.links.mint("upload", "CP-1", "", time.time() + 60)
            async with aiohttp.ClientSession() as http:
                rss0 = _peak_rss_mib()
                t0 = time.perf_counter()
                async with http.put(f"{base}/files/uploads/{upload}/big.log",
                                    data=_body(mib << 20)) as resp:
                    assert resp.status == 201, await resp.text()
                up_s = time.perf_counter() - t0
                rss_up = _peak_rss_mib() - rss0
                (config.data_dir / "firmware").mkdir()  # after: its bytes would lift the peak
                with (config.data_dir / "firmware" / "fw.bin").open("wb") as image:
                    for _ in range(mib):
                        image.write(os.urandom(1 << 20))
                token = files.links.mint("firmware", "CP-1", "fw.bin", time.time() + 60)
                t0 = time.perf_counter()
                async with http.get(f"{base}/files/firmware/{token}/fw.bin") as resp:
                    got = len(await resp.read())
                down_s = time.perf_counter() - t0
                assert got == mib << 20
                t0 = time.perf_counter()
                async with http.put(f"{base}/files/uploads/{upload}/huge.log",
                                    data=_body((mib + 2) << 20)) as resp:
                    refused = resp.status
                refuse_s = time.perf_counter() - t0
        finally:
            await server.stop()
    print(f"upload   {mib} MiB: {mib / up_s:7.1f} MiB/s, peak RSS growth {rss_up:.1f} MiB "
          f"(bench process, client included)")
    print(f"download {mib} MiB: {mib / down_s:7.1f} MiB/s")
    print(f"over-limit upload: HTTP {refused} after {refuse_s * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=48, help="size of the image and the upload")
    asyncio.run(run(parser.parse_args().mib))


if __name__ == "__main__":
    main()
