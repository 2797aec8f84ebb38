"""Floods against one CSMS node, before and after issue 18 (items 1 and 5), same run, same box.

    uv run python bench/bench_flood.py [--scenario both] [--seconds 10] [--size 60000]
                                       [--guesses 800] [--base-commit 6880502]

``flood``: one registered charger sends random (non-JSON) text frames of ``--size`` bytes as
fast as it can for ``--seconds``, reconnecting whenever it is closed; reported: the lake's
Parquet bytes after a clean stop, frames sent, connections. ``auth``: ``--guesses`` concurrent
wrong-password handshakes from one address (X-Forwarded-For through a trusted proxy, so the
real charger's address differs on loopback), and meanwhile a real charger never seen before
(cold verified-cache) connects with its right password; reported: its connect time (or the 60 s
timeout) and the scrypt runs done.

Each scenario runs in a child process on this checkout and on ``--base-commit`` (a temporary
``git worktree``, removed afterwards), importing only what both have. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PASSWORD = "the-right-password-1"


async def drain(ws: Any) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for _ in ws:
            pass
    except ConnectionClosed:
        pass


async def run_flood(seconds: float, size: int) -> dict[str, Any]:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    from csms_lite.config import CsmsConfig
    from csms_lite.registry.models import ChargePoint
    from csms_lite.server.app import CsmsServer

    data = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    server = CsmsServer(CsmsConfig(data_dir=data / "data", port=0, node_id="bench"))
    await server.start()
    server.registry.add_charge_point(ChargePoint("CP-FLOOD"))
    pool = [base64.b64encode(os.urandom(size * 3 // 4)).decode()[:size] for _ in range(32)]
    sent = connections = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            ws = await connect(f"ws://127.0.0.1:{server.port}/ocpp/CP-FLOOD",
                               subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                               open_timeout=10, close_timeout=1, max_size=None)
        except (InvalidStatus, OSError, TimeoutError):
            await asyncio.sleep(0.05)
            continue
        connections += 1

        reader = asyncio.create_task(drain(ws))
        try:
            while time.monotonic() < deadline:
                await ws.send(pool[sent % len(pool)])
                sent += 1
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            await ws.close()
    await server.stop()
    lake = data / "data" / "lake"
    parquet = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    return {"lake_parquet_bytes": parquet, "frames_sent": sent, "connections": connections,
            "bytes_sent": sent * size}


async def run_auth(guesses: int) -> dict[str, Any]:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    from csms_lite.config import CsmsConfig
    from csms_lite.registry.models import ChargePoint
    from csms_lite.registry.passwords import hash_password
    from csms_lite.server.app import CsmsServer

    data = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    config = CsmsConfig(data_dir=data / "data", port=0, node_id="bench",
                        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),))
    server = CsmsServer(config)
    await server.start()
    for cp in ("CP-REAL", "CP-VICTIM"):
        server.registry.add_charge_point(ChargePoint(cp, password_hash=hash_password(PASSWORD)))
    url = f"ws://127.0.0.1:{server.port}/ocpp"

    def auth(cp: str, password: str, source: str) -> dict[str, str]:
        token = base64.b64encode(f"{cp}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}", "X-Forwarded-For": source}

    async def guess(i: int) -> int:
        try:
            ws = await connect(f"{url}/CP-VICTIM", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                               additional_headers=auth("CP-VICTIM", f"guess-{i}", "10.0.0.66"),
                               open_timeout=120)
        except InvalidStatus as exc:
            return exc.response.status_code
        except Exception:  # timed out, reset, no valid answer: counted as 0
            return 0
        await ws.close()
        return 101

    flood = [asyncio.create_task(guess(i)) for i in range(guesses)]
    await asyncio.sleep(0.5)  # the flood is under way
    started = time.monotonic()
    try:
        ws = await connect(f"{url}/CP-REAL", subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                           additional_headers=auth("CP-REAL", PASSWORD, "10.0.0.1"),
                           open_timeout=60)
        connect_s: float | None = time.monotonic() - started
        await ws.close()
    except Exception:  # refused or timed out: no connect time
        connect_s = None
    statuses = await asyncio.gather(*flood)
    scrypt_runs = server.gate.cache.hashes_computed
    await server.stop()
    counts: dict[str, int] = {}
    for s in statuses:
        counts[str(s)] = counts.get(str(s), 0) + 1
    return {"real_charger_connect_s": connect_s, "scrypt_runs": scrypt_runs,
            "guess_statuses": counts}


def child(args: argparse.Namespace) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.child == "flood":
        result = asyncio.run(run_flood(args.seconds, args.size))
    else:
        result = asyncio.run(run_auth(args.guesses))
    print(json.dumps(result))


def measure(code: Path, scenario: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "bench_flood.py"), "--child", scenario,
           "--seconds", str(args.seconds), "--size", str(args.size),
           "--guesses", str(args.guesses)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{scenario} on {code} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=("flood", "auth", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=60_000)
    parser.add_argument("--guesses", type=int, default=800)
    parser.add_argument("--base-commit", default="6880502")
    parser.add_argument("--child", choices=("flood", "auth"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    scenarios = ("flood", "auth") if args.scenario == "both" else (args.scenario,)
    base = Path(tempfile.mkdtemp(prefix="bench-base-")) / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base),
                    args.base_commit], check=True, capture_output=True)
    try:
        for scenario in scenarios:
            before = measure(base, scenario, args)
            after = measure(REPO, scenario, args)
            print(f"{scenario}: before ({args.base_commit}) {json.dumps(before)}", flush=True)
            print(f"{scenario}: after  (this checkout) {json.dumps(after)}", flush=True)
            if scenario == "flood":
                ratio = before["lake_parquet_bytes"] / max(1, after["lake_parquet_bytes"])
                print(f"flood: lake bytes before / after = {ratio:,.0f}x")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)],
                       check=False, capture_output=True)


if __name__ == "__main__":
    main()
