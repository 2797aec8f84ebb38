"""Throughput and latency of ``cpo csms`` against a raw websockets echo server.

    uv run python bench/bench_csms.py [--clients 50] [--seconds 10] [--warmup 2] [--repeats 3]

One run measures, R times interleaved (the order rotates each repeat), each server started as a
subprocess on a free port with a fresh temp data dir and loaded by ``load_gen.py`` in its own
process:

  (a) echo     bench/echo_server.py: websockets + json.loads/dumps, nothing else
  (b) csms     cpo csms --accept-unknown --rate-limit 0             (every frame logged)
  (c) no-log   cpo csms --accept-unknown --rate-limit 0 --no-log

and prints medians: calls/s, p50/p99 latency, ratio vs echo, the logging cost 1 - b/c, and the
server CPU time per call (less sensitive to a noisy machine than calls/s).

After every (b) run the server is stopped cleanly (SIGTERM flushes the lake) and its lake is
checked with DuckDB: ocpp_messages must hold exactly 2 rows per CALL answered (boot and warm-up
included) and meter_values one row per sampled value answered. A run that loses frames fails
the benchmark (exit status 1). Targets (the issue): csms >= 0.5 x echo, logging <= 10 %.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KINDS = ("echo", "csms", "no-log")
TARGET_RATIO = 0.5
TARGET_LOG_COST = 0.10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])



def run_load(
    port: int, server_pid: int, args: argparse.Namespace
) -> subprocess.CompletedProcess[str]:
    """load_gen.py in its own process against ``port`` (``args``: clients, seconds, warmup)."""
    command = [
        sys.executable, str(BENCH / "load_gen.py"), "--url", f"ws://127.0.0.1:{port}/ocpp",
        "--clients", str(args.clients), "--seconds", str(args.seconds),
        "--warmup", str(args.warmup), "--server-pid", str(server_pid), "--json",
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=args.seconds + args.warmup + 120, check=False)


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server not listening on {port} after {timeout} s")


def server_command(kind: str, port: int, data_dir: Path) -> list[str]:
    if kind == "echo":
        return [
            sys.executable,
            str(BENCH / "echo_server.py"),
            "--port",
            str(port),
            "--max-seconds",
            "300",
        ]
    cmd = [
        sys.executable,
        "-m",
        "workbench.cli",
        "csms",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--accept-unknown",
        "--rate-limit",
        "0",
    ]
    if kind == "no-log":
        cmd.append("--no-log")
    return cmd


def stop(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        return -9


@dataclass
class Run:
    kind: str
    repeat: int
    result: dict[str, Any]
    lake_ok: bool | None = None
    lake_note: str = ""

    @property
    def cpu_us_per_call(self) -> float:
        cpu = self.result.get("server_cpu_s")
        calls = self.result["window_calls"]
        return cpu / calls * 1e6 if cpu is not None and calls else float("nan")


def check_lake(data_dir: Path, result: dict[str, Any]) -> tuple[bool, str]:
    import duckdb

    lake = DataFolder(data_dir).local_lake
    if list((lake / "_journal").glob("*/*.jsonl")) and any(
        p.stat().st_size for p in (lake / "_journal").glob("*/*.jsonl")
    ):
        return False, "journal segments left over after a clean stop"
    con = duckdb.connect()
    try:

        def count(table: str) -> int:
            files = list((lake / table).glob("*/*.parquet"))
            if not files:
                return 0
            glob = str(lake / table / "*" / "*.parquet")
            row = con.execute(f"select count(*) from read_parquet('{glob}')").fetchone()
            return int(row[0]) if row else 0

        messages, meters = count("ocpp_messages"), count("meter_values")
    finally:
        con.close()
    want_messages = 2 * result["total_answered"]
    want_meters = result["sampled_values"]
    ok = (
        messages == want_messages
        and meters == want_meters
        and result["errors"] == 0
        and result["total_sent"] == result["total_answered"]
    )
    note = (
        f"ocpp_messages {messages:,} (want 2 x {result['total_answered']:,} answered = "
        f"{want_messages:,}), meter_values {meters:,} (want {want_meters:,})"
    )
    return ok, note


def one_run(kind: str, repeat: int, args: argparse.Namespace, tmp_root: Path) -> Run:
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=tmp_root))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    err_path = data_dir.parent / f"{data_dir.name}.stderr"
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(
            server_command(kind, port, data_dir),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        wait_listening(port, proc)
        load = run_load(port, proc.pid, args)
        if not load.stdout.strip():
            raise RuntimeError(f"load_gen failed: {load.stderr[-2000:]}")
        result = json.loads(load.stdout.strip().splitlines()[-1])
    finally:
        status = stop(proc)
    run = Run(kind, repeat, result)
    if status not in (0, -signal.SIGTERM):
        run.lake_note = f"server exit status {status}; stderr: {err_path.read_text()[-500:]}"
    if kind == "csms":
        run.lake_ok, note = check_lake(data_dir, result)
        run.lake_note = (run.lake_note + " " + note).strip()
    shutil.rmtree(data_dir, ignore_errors=True)
    return run


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def report(runs: list[Run], args: argparse.Namespace) -> bool:
    by_kind = {k: [r for r in runs if r.kind == k] for k in KINDS}
    med = {
        k: {
            "cps": median([r.result["calls_per_s"] for r in rs]),
            "p50": median([r.result["p50_ms"] for r in rs]),
            "p99": median([r.result["p99_ms"] for r in rs]),
            "cpu": median([r.cpu_us_per_call for r in rs]),
            "errors": sum(r.result["errors"] + r.result["connect_errors"] for r in rs),
        }
        for k, rs in by_kind.items()
    }
    echo = med["echo"]
    print(
        f"\n{args.clients} clients, {args.seconds:g} s measured after {args.warmup:g} s warm-up,"
        f" medians of {args.repeats} interleaved repeats\n"
    )
    print(
        f"{'server':<8} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x echo':>7} "
        f"{'srv CPU us/call':>16} {'CPU x echo':>10} {'errors':>7}"
    )
    for k in KINDS:
        m = med[k]
        print(
            f"{k:<8} {m['cps']:>9,.0f} {m['p50']:>8.2f} {m['p99']:>8.2f} "
            f"{m['cps'] / echo['cps']:>7.2f} {m['cpu']:>16.1f} {echo['cpu'] / m['cpu']:>10.2f} "
            f"{m['errors']:>7}"
        )
    # per-repeat ratios: same-run pairs are the fairest comparison on a noisy machine
    per_rep = {}
    for rep in range(args.repeats):
        got = {r.kind: r for r in runs if r.repeat == rep}
        if len(got) == 3:
            per_rep[rep] = (
                got["csms"].result["calls_per_s"] / got["echo"].result["calls_per_s"],
                1 - got["csms"].result["calls_per_s"] / got["no-log"].result["calls_per_s"],
                1 - got["no-log"].cpu_us_per_call / got["csms"].cpu_us_per_call,
            )
    ratio = median([v[0] for v in per_rep.values()])
    log_cost = median([v[1] for v in per_rep.values()])
    log_cpu = median([v[2] for v in per_rep.values()])
    print(
        f"\ncsms / echo (median of per-repeat ratios): {ratio:.2f}   target >= {TARGET_RATIO}"
        f"  {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    print(
        f"logging cost 1 - csms/no-log, calls/s:     {log_cost:+.1%}  target <= "
        f"{TARGET_LOG_COST:.0%}  {'PASS' if log_cost <= TARGET_LOG_COST else 'FAIL'}"
    )
    print(f"logging cost in server CPU per call:      {log_cpu:+.1%}")
    print(
        "per repeat (csms/echo, log cost): "
        + ", ".join(f"#{rep}: {v[0]:.2f}, {v[1]:+.1%}" for rep, v in per_rep.items())
    )
    lake_ok = all(r.lake_ok for r in by_kind["csms"])
    print("\nlake check of the logged (csms) runs:")
    for r in by_kind["csms"]:
        print(f"  #{r.repeat}: {'OK  ' if r.lake_ok else 'FAIL'} {r.lake_note}")
    for r in runs:
        if r.kind != "csms" and r.lake_note:
            print(f"  {r.kind} #{r.repeat}: {r.lake_note}")
    errors = sum(m["errors"] for m in med.values())
    if errors:
        print(
            f"\n{errors} errors; samples: "
            + "; ".join(e for r in runs for e in r.result["error_samples"][:2])
        )
    return lake_ok and errors == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, help="also write every run here")
    args = ap.parse_args(argv)
    runs: list[Run] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-csms-") as tmp:
        for rep in range(args.repeats):
            order = KINDS[rep % 3 :] + KINDS[: rep % 3]
            for kind in order:
                run = one_run(kind, rep, args, Path(tmp))
                r = run.result
                print(
                    f"repeat {rep} {kind:<7} {r['calls_per_s']:>8,.0f} calls/s  "
                    f"p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
                    f"srv CPU {run.cpu_us_per_call:.0f} us/call "
                    f"(srv {(r['server_cpu_s'] or 0) / args.seconds:.0%}, "
                    f"load_gen {r['client_cpu_s'] / args.seconds:.0%} of a core)  "
                    f"errors {r['errors']}"
                    + (f"  lake {'OK' if run.lake_ok else 'FAIL'}" if run.kind == "csms" else ""),
                    flush=True,
                )
                runs.append(run)
    ok = report(runs, args)
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if args.json is not None:
        args.json.write_text(json.dumps([r.__dict__ for r in runs], indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
