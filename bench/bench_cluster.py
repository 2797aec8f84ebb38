"""Connections/s and calls/s through HAProxy with 1 CSMS node vs 2, and what a large network
would need, derived from the measured per-node figures.

    uv run python bench/bench_cluster.py [--nodes 1,2] [--connections 2000] [--concurrency 100]
        [--workers 4] [--clients 50] [--seconds 10] [--warmup 2] [--network 50000]
        [--calls-per-charger-day 800] [--json]

For each node count, a fresh cluster on loopback in a temp folder: redis-server, N
``cpo csms --broker redis://... --accept-unknown --rate-limit 0`` nodes sharing one data folder,
and HAProxy running the shipped ``deploy/haproxy/haproxy.cfg`` (CPO_NODES=N). Then:

1. connections: ``--connections`` chargers connect through HAProxy from ``--workers`` client
   processes (at most ``--concurrency`` handshakes in flight in all), each sends a
   BootNotification and waits for its answer; connections/s = chargers / time until the last
   answer. Node CPU per connection (handshake, boot, claim in Redis, close) over the storm;
   Redis commands per connection from ``INFO stats``.
2. calls: ``bench/load_gen.py`` (own process) through HAProxy: ``--clients`` chargers, one CALL
   in flight each, 9 in 10 MeterValues; calls/s over the measured window. CPU seconds of every
   node (event loop process and its lake converter), HAProxy and Redis over the run, per call.
3. the nodes are stopped cleanly; the lake must hold 2 ``ocpp_messages`` rows per CALL answered
   (else exit status 1); lake bytes per CALL (all tables) are measured from the Parquet files.

It prints one table per phase, the 2-node/1-node ratio, and a sizing for ``--network`` chargers
each making ``--calls-per-charger-day`` CALLs (an assumption: state yours), from the per-node CPU
per call, the connection rate per node and the lake bytes per CALL. Needs redis-server and
haproxy (Debian: apt-get install redis-server haproxy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # the repo: `tests.cluster.procs`, the processes of a cluster

from ingest.data_folder import DataFolder  # noqa: E402
from tests.cluster.procs import Haproxy, Node, RedisServer  # noqa: E402

TOKEN = "bench-token"
BOOT = '[2,"{uid}","BootNotification",{{"chargePointVendor":"B","chargePointModel":"M"}}]'


@dataclass
class Run:
    nodes: int
    connections: int
    connect_s: float
    connections_per_s: float
    connect_errors: int
    node_cpu_us_per_connection: float  # summed over nodes: handshake, boot, attach, close
    redis_cmds_per_connection: float
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    calls_answered: int
    node_cpu_us_per_call: float  # event loop processes, summed over nodes
    converter_cpu_us_per_call: float  # their lake converters
    haproxy_cpu_us_per_call: float
    redis_cpu_us_per_call: float
    client_cpu_us_per_call: float  # load_gen itself, measured window
    redis_cmds_per_call: float
    lake_bytes_per_call: float
    lake_ok: bool


def progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def cpu_s(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def redis_commands(redis: RedisServer) -> int:
    out = subprocess.run(["redis-cli", "-p", str(redis.port), "INFO", "stats"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("total_commands_processed:"):
            return int(line.split(":")[1])
    raise RuntimeError("no total_commands_processed in INFO stats")


async def connect_storm(
    url: str, first: int, n: int, concurrency: int, start_at: float
) -> tuple[float, int]:
    """Chargers ``first .. first + n - 1`` connect from ``start_at`` (epoch s) on: (epoch time
    the last one is connected and booted, failures). The links are closed afterwards."""
    gate = asyncio.Semaphore(concurrency)
    links: list[ClientConnection] = []
    failed = 0
    await asyncio.sleep(max(0.0, start_at - time.time()))

    async def one(i: int) -> None:
        nonlocal failed
        async with gate:
            try:
                ws = await connect(f"{url}/CP-CONN-{i:06d}", subprotocols=[Subprotocol("ocpp1.6")],
                                   open_timeout=30, ping_interval=None, compression=None)
                await ws.send(BOOT.format(uid=f"b{i}"))
                reply = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
                if reply[0] != 3:
                    failed += 1
                links.append(ws)
            except Exception:
                failed += 1

    await asyncio.gather(*(one(i) for i in range(first, first + n)))
    done = time.time()
    await asyncio.gather(*(ws.close() for ws in links), return_exceptions=True)
    return done, failed


def storm(url: str, n: int, concurrency: int, workers: int) -> tuple[float, int]:
    """``n`` chargers connect at once from ``workers`` processes: (seconds, failures)."""
    start_at = time.time() + 1.5  # every worker is up and waiting by then
    share = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    procs = [subprocess.Popen(
        [sys.executable, __file__, "--storm-worker", url, str(sum(share[:i])), str(share[i]),
         str(max(1, concurrency // workers)), repr(start_at)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True) for i in range(workers) if share[i]]
    results = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    return max(r["done"] for r in results) - start_at, sum(r["failed"] for r in results)


def storm_worker(argv: list[str]) -> int:
    url, first, n, concurrency, start_at = argv
    done, failed = asyncio.run(connect_storm(url, int(first), int(n), int(concurrency),
                                             float(start_at)))
    print(json.dumps({"done": done, "failed": failed}))
    return 0


def lake_check(data: Path, answered: int) -> tuple[bool, int, int]:
    """(2 rows per CALL answered?, ocpp_messages rows, bytes of every Parquet file)."""
    lake = DataFolder(data).local_lake
    con = duckdb.connect()
    rows = con.execute(f"select count(*) from read_parquet('{lake}/ocpp_messages/*/*.parquet')"
                       ).fetchall()
    n = int(rows[0][0]) if rows else 0
    size = sum(f.stat().st_size for f in lake.rglob("*.parquet"))
    return n == 2 * answered, n, size


def run_cluster(n_nodes: int, args: argparse.Namespace, tools: dict[str, str]) -> Run:
    folder = Path(tempfile.mkdtemp(prefix=f"cpo-cluster-{n_nodes}-"))
    data = folder / "data"
    redis = RedisServer(tools["redis-server"], folder / "redis")
    nodes: list[Node] = []
    lb: Haproxy | None = None
    try:
        redis.start()
        nodes = [Node(f"node{i}", data, redis.url, TOKEN, folder, "--accept-unknown",
                      "--log-level", "WARNING") for i in range(1, n_nodes + 1)]
        for node in nodes:
            node.wait_ready()
        lb = Haproxy(tools["haproxy"], nodes, folder, maxconn=args.connections + 500)
        time.sleep(1.0)  # HAProxy's first health checks
        node_procs = [psutil.Process(n.proc.pid) for n in nodes]
        converters = [c for p in node_procs for c in p.children(recursive=True)]
        lb_proc = psutil.Process(lb.proc.pid)
        redis_proc = psutil.Process(redis.proc.pid) if redis.proc else lb_proc

        progress(f"{n_nodes} node(s): {args.connections} chargers connecting through HAProxy")
        cmds0, conn_cpu0 = redis_commands(redis), cpu_s(node_procs)
        took, failed = storm(lb.url, args.connections, args.concurrency, args.workers)
        time.sleep(0.5)  # the closes are handled and their releases reach Redis
        cmds_conn = redis_commands(redis) - cmds0
        conn_cpu = cpu_s(node_procs) - conn_cpu0
        progress(f"{n_nodes} node(s): {args.connections / took:,.0f} connections/s; "
                 f"calls for {args.warmup + args.seconds:g} s")

        cpu0 = [cpu_s(node_procs), cpu_s(converters), cpu_s([lb_proc]), cpu_s([redis_proc])]
        cmds0 = redis_commands(redis)
        load = subprocess.run(
            [sys.executable, str(BENCH / "load_gen.py"), "--url", lb.url, "--clients",
             str(args.clients), "--seconds", str(args.seconds), "--warmup", str(args.warmup),
             "--json"], cwd=ROOT, capture_output=True, text=True, check=False,
            timeout=args.seconds + args.warmup + 120)
        if load.returncode != 0:
            raise RuntimeError(f"load_gen failed: {load.stderr[-2000:]}")
        cpu1 = [cpu_s(node_procs), cpu_s(converters), cpu_s([lb_proc]), cpu_s([redis_proc])]
        cmds_calls = redis_commands(redis) - cmds0
        res: dict[str, Any] = json.loads(load.stdout)
        answered = int(res["total_answered"])
        per_call = [(b - a) * 1e6 / max(answered, 1) for a, b in zip(cpu0, cpu1, strict=True)]
        progress(f"{n_nodes} node(s): {res['calls_per_s']:,.0f} calls/s; stopping, lake check")
        for node in nodes:
            node.proc.stop(signal.SIGTERM, within=60)
        boots = args.connections - failed
        ok, _rows, size = lake_check(data, answered + boots)
        return Run(
            nodes=n_nodes, connections=args.connections, connect_s=took,
            connections_per_s=args.connections / took, connect_errors=failed,
            node_cpu_us_per_connection=conn_cpu * 1e6 / max(args.connections, 1),
            redis_cmds_per_connection=cmds_conn / max(args.connections, 1),
            calls_per_s=float(res["calls_per_s"]), p50_ms=float(res["p50_ms"]),
            p99_ms=float(res["p99_ms"]), calls_answered=answered,
            node_cpu_us_per_call=per_call[0], converter_cpu_us_per_call=per_call[1],
            haproxy_cpu_us_per_call=per_call[2], redis_cpu_us_per_call=per_call[3],
            client_cpu_us_per_call=float(res["client_cpu_s"]) * 1e6
            / max(int(res["window_calls"]), 1),
            redis_cmds_per_call=cmds_calls / max(answered, 1),
            lake_bytes_per_call=size / max(answered + boots, 1), lake_ok=ok,
        )
    finally:
        for node in nodes:
            node.proc.stop(signal.SIGKILL)
        if lb is not None:
            lb.proc.stop()
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)


def sizing(runs: list[Run], args: argparse.Namespace) -> list[str]:
    """What ``--network`` chargers need, from the 1-node run's per-node CPU figures (one event
    loop = one core; wall-clock rates on a shared 2-core box measure the neighbours too)."""
    one = next((r for r in runs if r.nodes == 1), runs[0])
    calls_per_s = args.network * args.calls_per_charger_day / 86_400
    node_calls = 1e6 / max(one.node_cpu_us_per_call, 1e-9)  # CALLs/s one node's core can serve
    node_conns = 1e6 / max(one.node_cpu_us_per_connection, 1e-9)  # (re)connections/s
    busy, storm_target = 0.5, 60.0  # steady load per node at most; failover storm at most (s)
    nodes = 2
    while True:
        steady = calls_per_s / nodes / node_calls
        # a node dies: its chargers reconnect to the others, which also carry their own load
        storm = args.network / nodes / ((nodes - 1) * node_conns * (1 - steady))
        after = args.network / (nodes - 1)  # chargers per node once one node is gone
        if steady <= busy and storm <= storm_target and after <= args.max_per_node:
            break
        nodes += 1
    redis_calls = calls_per_s * one.redis_cmds_per_call
    refresh = 2 * args.network / 10  # every 10 s a GET + PEXPIRE per charger, 500 per script
    storm_redis = args.network / nodes / storm * one.redis_cmds_per_connection
    day_bytes = args.network * args.calls_per_charger_day * one.lake_bytes_per_call
    return [
        f"network: {args.network:,} chargers x {args.calls_per_charger_day:g} CALLs/day = "
        f"{calls_per_s:,.0f} CALLs/s on average",
        f"one node (one core for its event loop): {one.node_cpu_us_per_call:.0f} µs/CALL -> "
        f"{node_calls:,.0f} CALLs/s; {one.node_cpu_us_per_connection:.0f} µs/(re)connection "
        f"-> {node_conns:,.0f} connections/s; its lake converter "
        f"{one.converter_cpu_us_per_call:.0f} µs/CALL on a second core",
        f"nodes: {nodes} (2 cores each), each at {steady:.0%} of its loop in steady state with "
        f"{args.network // nodes:,} chargers; when one dies its chargers are back on the "
        f"{nodes - 1} others in ~{storm:.0f} s, {after:,.0f} chargers each (targets: loop <= "
        f"{busy:.0%}, storm <= {storm_target:g} s, <= {args.max_per_node:,} chargers per node "
        "with one node down)",
        f"HAProxy: {one.haproxy_cpu_us_per_call:.0f} µs/CALL -> "
        f"{calls_per_s * one.haproxy_cpu_us_per_call / 1e6:.2f} core in steady state; "
        "two instances (active/standby, a virtual IP) with an open-files limit of "
        f">= {2 * args.network + 1000:,}",
        f"Redis: ~{redis_calls + refresh:,.0f} commands/s in steady state "
        f"({one.redis_cmds_per_call:.3f}/CALL measured for this mix, + {refresh:,.0f} for the "
        f"presence refresh, {args.network / 5000:.0f} scripts/s of 500 chargers), "
        f"~{storm_redis:,.0f}/s during a failover ({one.redis_cmds_per_connection:.1f} per "
        "(re)connection, counting those inside Lua scripts): one Redis core is plenty; memory "
        "~1 KB per charger (< 100 MB); run a replica (Sentinel) and AOF",
        f"lake: {one.lake_bytes_per_call:.0f} bytes/CALL measured (all four tables, zstd "
        f"Parquet) -> {day_bytes / 1e9:,.1f} GB/day, {day_bytes * 365 / 1e12:,.2f} TB/year",
    ]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--storm-worker":  # one client process
        return storm_worker(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", default="1,2", help="node counts to compare (default 1,2)")
    ap.add_argument("--connections", type=int, default=2000, help="chargers that connect")
    ap.add_argument("--concurrency", type=int, default=100, help="handshakes in flight")
    ap.add_argument("--workers", type=int, default=4,
                    help="client processes for the connections (default 4)")
    ap.add_argument("--clients", type=int, default=50, help="load_gen chargers for calls/s")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--network", type=int, default=50_000, help="chargers to size for")
    ap.add_argument("--calls-per-charger-day", type=float, default=800.0,
                    help="assumed CALLs per charger per day (default 800: a heartbeat every 5 "
                         "min and meter values every minute through ~8 h of sessions)")
    ap.add_argument("--max-per-node", type=int, default=25_000,
                    help="most chargers a node may hold with one node down (memory ~16 KB and "
                         "2 descriptors per charger incl. HAProxy; default 25,000)")
    ap.add_argument("--json", action="store_true", help="print the runs as JSON too")
    args = ap.parse_args()
    tools = {t: shutil.which(t) or f"/usr/sbin/{t}" for t in ("redis-server", "haproxy")}
    missing = [t for t, path in tools.items() if not Path(path).is_file()]
    if missing or shutil.which("redis-cli") is None:
        print(f"error: needs {', '.join(missing or ['redis-cli'])} "
              "(Debian: apt-get install redis-server haproxy)", file=sys.stderr)
        return 2
    counts = [int(x) for x in args.nodes.split(",") if x.strip()]
    if not counts or any(c not in (1, 2) for c in counts):
        print("error: --nodes takes 1 and/or 2 (the shipped config has two nodes)",
              file=sys.stderr)
        return 2
    runs = [run_cluster(n, args, tools) for n in counts]

    print("\n| nodes | connections/s | connect errors | node µs/connection | "
          "Redis cmds/connection | calls/s | "
          "p50 ms | p99 ms | node µs/call | converter µs/call | HAProxy µs/call | "
          "Redis µs/call | load_gen µs/call | Redis cmds/call | lake B/call | lake |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        print(f"| {r.nodes} | {r.connections_per_s:,.0f} | {r.connect_errors} | "
              f"{r.node_cpu_us_per_connection:.0f} | "
              f"{r.redis_cmds_per_connection:.2f} | {r.calls_per_s:,.0f} | {r.p50_ms:.2f} | "
              f"{r.p99_ms:.2f} | {r.node_cpu_us_per_call:.0f} | "
              f"{r.converter_cpu_us_per_call:.0f} | {r.haproxy_cpu_us_per_call:.0f} | "
              f"{r.redis_cpu_us_per_call:.1f} | {r.client_cpu_us_per_call:.0f} | "
              f"{r.redis_cmds_per_call:.3f} | "
              f"{r.lake_bytes_per_call:.0f} | {'OK' if r.lake_ok else 'LOST ROWS'} |")
    if len(runs) == 2:
        a, b = runs
        print(f"\n2 nodes / 1 node: connections/s x{b.connections_per_s / a.connections_per_s:.2f}"
              f", calls/s x{b.calls_per_s / a.calls_per_s:.2f}")
    print("\nSizing (from the 1-node run):")
    for line in sizing(runs, args):
        print(f"- {line}")
    if args.json:
        print(json.dumps([asdict(r) for r in runs], indent=2))
    return 0 if all(r.lake_ok and r.connect_errors == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
