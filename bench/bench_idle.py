"""Memory per idle connection: N chargers connected to ONE ``cpo csms --accept-unknown``.

    uv run python bench/bench_idle.py [--connections 10000] [--workers 4]

Starts the server as a subprocess (fresh temp data dir, free port), connects one charger
(BootNotification + Heartbeat, then closed) so lazy imports and caches are warm, and reads the
server's RSS (``/proc/PID/status`` VmRSS). Then ``--workers`` client processes (each from its
own source address 127.0.0.2, 127.0.0.3, ... so ephemeral ports never run short) open their
share of the connections, send a BootNotification then one Heartbeat on each, and keep them
open and idle. RSS is read again once every worker reports, and after ``--idle`` more seconds;
the difference over N is the cost of one connection (target <= 100 KB). Every Heartbeat must be
answered with a CALLRESULT. Finally the clients close, the server stops cleanly and its lake is
checked: 4 ocpp_messages rows per connection (boot + heartbeat, in and out).

File descriptors: the benchmark raises its RLIMIT_NOFILE soft limit to the hard limit before
starting anything; the server and the workers inherit it (rlimits survive fork/exec), and
each worker also raises its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from websockets.typing import Subprotocol

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_csms import free_port, wait_listening  # noqa: E402

from ingest.data_folder import DataFolder  # noqa: E402

TARGET_KB = 100.0

BOOT = (
    '[2,"{uid}","BootNotification",{{"chargePointVendor":"BenchVendor",'
    '"chargePointModel":"Idle-11","chargePointSerialNumber":"SN-{i:06d}"}}]'
)
HEARTBEAT = '[2,"{uid}","Heartbeat",{{}}]'


def raise_nofile() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# -- worker process ------------------------------------------------------------------------


async def worker(
    url: str, first: int, count: int, source: str, concurrency: int, hold: float
) -> None:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import WebSocketException

    gate = asyncio.Semaphore(concurrency)
    conns: list[ClientConnection] = []
    stats = {"connected": 0, "boot_accepted": 0, "heartbeats_answered": 0, "errors": 0}
    samples: list[str] = []

    async def call(ws: ClientConnection, uid: str, frame: str) -> dict[str, Any] | None:
        await ws.send(frame)
        msg = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
        if msg[0] != 3 or msg[1] != uid:
            raise RuntimeError(f"unexpected answer {msg!r:.200}")
        answer: dict[str, Any] = msg[2]
        return answer

    async def one(i: int) -> None:
        try:
            async with gate:
                ws = await connect(
                    f"{url}/CP-IDLE-{i:06d}",
                    subprotocols=[Subprotocol("ocpp1.6")],
                    compression=None,
                    ping_interval=None,
                    open_timeout=60,
                    close_timeout=5,
                    local_addr=(source, 0),
                )
            conns.append(ws)
            stats["connected"] += 1
            boot = await call(ws, f"b{i}", BOOT.format(uid=f"b{i}", i=i))
            if boot and boot.get("status") == "Accepted":
                stats["boot_accepted"] += 1
            hb = await call(ws, f"h{i}", HEARTBEAT.format(uid=f"h{i}"))
            if hb and "currentTime" in hb:
                stats["heartbeats_answered"] += 1
        except (WebSocketException, OSError, TimeoutError, RuntimeError) as exc:
            stats["errors"] += 1
            if len(samples) < 3:
                samples.append(f"{i}: {type(exc).__name__} {exc}")

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(first, first + count))), 150)
    elapsed = time.perf_counter() - started
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {**stats, "seconds": elapsed, "cpu_s": ru.ru_utime + ru.ru_stime, "samples": samples}
        ),
        flush=True,
    )
    # hold the connections idle until the parent says "close" (or the safety timeout)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reader.readline(), hold)

    async def close(ws: ClientConnection) -> None:
        async with gate:
            with contextlib.suppress(WebSocketException, OSError, TimeoutError):
                await asyncio.wait_for(ws.close(), 10)

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(close(ws) for ws in conns)), 30)


def worker_main(args: argparse.Namespace) -> int:
    raise_nofile()
    coro = worker(args.url, args.first, args.count, args.source, args.concurrency, args.hold)
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(coro)
    else:
        uvloop.run(coro)
    return 0


# -- parent ----------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warm_up(url: str) -> None:
    async def go() -> None:
        from websockets.asyncio.client import connect

        async with connect(
            f"{url}/CP-IDLE-WARMUP",
            subprotocols=[Subprotocol("ocpp1.6")],
            compression=None,
            open_timeout=10,
        ) as ws:
            for _uid, frame in (
                ("w1", BOOT.format(uid="w1", i=0)),
                ("w2", HEARTBEAT.format(uid="w2")),
            ):
                await ws.send(frame)
                await asyncio.wait_for(ws.recv(), 10)

    asyncio.run(go())


def lake_counts(data_dir: Path) -> dict[str, int]:
    import duckdb

    out = {}
    con = duckdb.connect()
    try:
        for table in ("ocpp_messages", "connection_events"):
            if not list((DataFolder(data_dir).local_lake / table).glob("*/*.parquet")):
                out[table] = 0
                continue
            glob = str(DataFolder(data_dir).local_lake / table / "*" / "*.parquet")
            row = con.execute(f"select count(*) from read_parquet('{glob}')").fetchone()
            out[table] = int(row[0]) if row else 0
    finally:
        con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=4, help="client processes (2-4)")
    ap.add_argument(
        "--concurrency",
        type=int,
        default=25,
        help="handshakes in progress per worker (the server's listen backlog is 100)",
    )
    ap.add_argument("--idle", type=float, default=5.0, help="seconds idle before the last RSS")
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="run the server under cProfile (bench/profile_csms.py), .prof files here",
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--source", default="127.0.0.1", help=argparse.SUPPRESS)
    ap.add_argument("--hold", type=float, default=120.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main(args)

    started = time.monotonic()
    soft, hard = raise_nofile()
    need = args.connections + 200
    print(f"RLIMIT_NOFILE soft {soft} hard {hard} (server needs ~{need})")
    if soft < need:
        print("soft limit too low for the server: raise the hard limit (ulimit -Hn)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    data_dir = tmp / "data"
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ocpp"
    cli = ["csms", "--port", str(port), "--data-dir", str(data_dir), "--accept-unknown"]
    launcher = [sys.executable, "-m", "workbench.cli"]
    if args.profile is not None:
        launcher = [
            sys.executable,
            str(BENCH / "profile_csms.py"),
            "--out",
            str(args.profile),
            "--serve",
        ]
    with open(tmp / "server.stderr", "wb") as err:  # the child keeps its own copy of the fd
        server = subprocess.Popen(
            [*launcher, *cli], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )
    workers: list[subprocess.Popen[str]] = []
    ok = False
    try:
        wait_listening(port, server)
        warm_up(url)
        time.sleep(1.5)  # one lake flush
        rss0, fds0, cpu0 = rss_kb(server.pid), fd_count(server.pid), cpu_s(server.pid)
        print(f"server pid {server.pid}: RSS {rss0 / 1024:.1f} MiB, {fds0} fds before connecting")

        n, w = args.connections, args.workers
        shares = [n // w + (1 if k < n % w else 0) for k in range(w)]
        t0 = time.monotonic()
        first = 0
        for k, share in enumerate(shares):
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        "--url",
                        url,
                        "--first",
                        str(first),
                        "--count",
                        str(share),
                        "--source",
                        f"127.0.0.{2 + k}",
                        "--concurrency",
                        str(args.concurrency),
                        "--hold",
                        "150",
                    ],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
            first += share
        reports = []
        for proc in workers:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # the worker's own gather is bounded to 150 s
            if not line:
                raise RuntimeError(f"worker {proc.pid} exited without a report")
            reports.append(json.loads(line))
        connect_s = time.monotonic() - t0
        total = {
            key: sum(r[key] for r in reports)
            for key in ("connected", "boot_accepted", "heartbeats_answered", "errors")
        }
        time.sleep(1.5)  # the rows of the last calls are flushed to Parquet
        rss1, fds1 = rss_kb(server.pid), fd_count(server.pid)
        time.sleep(args.idle)
        rss2, cpu2 = rss_kb(server.pid), cpu_s(server.pid)
        per_conn = (rss2 - rss0) / max(1, total["connected"])
        per_conn1 = (rss1 - rss0) / max(1, total["connected"])
        print(
            f"{total['connected']:,}/{n:,} connected in {connect_s:.1f} s "
            f"({total['connected'] / connect_s:,.0f} connections/s incl. boot + heartbeat), "
            f"server CPU {cpu2 - cpu0:.1f} s"
        )
        print(
            f"boot accepted {total['boot_accepted']:,}, heartbeats answered "
            f"{total['heartbeats_answered']:,}/{n:,}, errors {total['errors']}"
        )
        print(
            "workers: "
            + ", ".join(
                f"{r['connected']} in {r['seconds']:.1f} s (CPU {r['cpu_s']:.1f} s)"
                for r in reports
            )
        )
        for r in reports:
            for s in r["samples"]:
                print("   ", s)
        print(
            f"server RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB (all connected), "
            f"{rss2 / 1024:.1f} MiB after {args.idle:g} s idle; fds {fds0} -> {fds1}"
        )
        print(
            f"per connection: {per_conn:.1f} KB (after idle), {per_conn1:.1f} KB (just "
            f"connected)   target <= {TARGET_KB:g} KB  "
            f"{'PASS' if per_conn <= TARGET_KB else 'FAIL'}"
        )
        ok = total["heartbeats_answered"] == n and total["errors"] == 0 and per_conn <= TARGET_KB
    finally:
        for proc in workers:
            if proc.poll() is None and proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.write("close\n")
                    proc.stdin.flush()
        for proc in workers:
            try:
                proc.wait(45)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
    if args.profile is not None:
        from profile_csms import summary

        print(summary(args.profile / "main.prof", 25, "event loop (main thread)"))
    if ok:
        counts = lake_counts(data_dir)
        want = 4 * (args.connections + 1)
        lake_ok = counts["ocpp_messages"] == want
        print(
            f"lake: ocpp_messages {counts['ocpp_messages']:,} (want {want:,}: 4 per "
            f"connection incl. warm-up) {'OK' if lake_ok else 'FAIL'}; connection_events "
            f"{counts['connection_events']:,}"
        )
        ok = lake_ok
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"total {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
