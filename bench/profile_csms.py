"""Where ``cpo csms`` spends its time under load: cProfile of the event loop AND the lake thread.

    uv run python bench/profile_csms.py [--clients 50] [--seconds 10] [--no-log] [--top 30]
        [--out DIR]

Starts ``cpo csms --accept-unknown --rate-limit 0`` under cProfile (this file with ``--serve``:
the same CLI, plus a second profiler wrapped around ``LakeWriter._run``, because cProfile only
sees the thread that enabled it), loads it with ``load_gen.py`` in another process, stops it with
SIGTERM and prints the top entries by cumulative and by own time for both threads. The .prof files
stay in ``--out`` (default: a temp dir) for ``python -m pstats`` or snakeviz.

cProfile adds a fixed cost per Python call, so it overstates code made of many small Python
calls and understates C (orjson, pyarrow, the kernel); read shares, not absolute times.
Equivalent for the loop alone:
``uv run python -m cProfile -o out.prof -m workbench.cli csms --port P --data-dir D ...``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_csms import free_port, run_load, stop, wait_listening  # noqa: E402


def serve(out: Path, cli_args: list[str]) -> None:
    """Child: the CSMS CLI under cProfile, the lake flush thread under its own profiler."""
    from csms_lite.server.app import CsmsServer
    from ingest.lake import writer as writer_mod
    from workbench import cli

    original_run = writer_mod.LakeWriter._run

    def profiled_run(self: writer_mod.LakeWriter) -> None:
        prof = cProfile.Profile()
        prof.enable()
        try:
            original_run(self)
        finally:
            prof.disable()
            prof.dump_stats(str(out / "writer.prof"))

    writer_mod.LakeWriter._run = profiled_run  # type: ignore[method-assign]
    # The loop's profiler starts once the server listens (start-up imports would dominate it)
    # and stops when the stop begins (the final flush is the lake thread's business).
    prof = cProfile.Profile()
    original_start, original_stop = CsmsServer.start, CsmsServer.stop

    async def profiled_start(self: CsmsServer) -> None:
        await original_start(self)
        prof.enable()

    async def profiled_stop(self: CsmsServer) -> None:
        prof.disable()
        await original_stop(self)

    CsmsServer.start = profiled_start  # type: ignore[method-assign]
    CsmsServer.stop = profiled_stop  # type: ignore[method-assign]
    sys.argv = ["cpo", *cli_args]
    try:
        cli.main()
    except SystemExit:
        pass
    finally:
        prof.disable()
        prof.dump_stats(str(out / "main.prof"))


def summary(path: Path, top: int, title: str) -> str:
    if not path.exists():
        return f"\n== {title}: no profile ({path.name} missing)\n"
    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs()
    buf.write(f"\n== {title}: by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(top)
    buf.write(f"\n== {title}: by own time\n")
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--no-log", action="store_true")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--serve", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="profile-csms-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.serve is not None:
        serve(out, args.serve)
        return 0

    port = free_port()
    data_dir = out / "data"
    cli_args = [
        "csms",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--accept-unknown",
        "--rate-limit",
        "0",
        "--log-level",
        "WARNING",
    ]
    if args.no_log:
        cli_args.append("--no-log")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--out", str(out), "--serve", *cli_args], cwd=ROOT
    )
    try:
        wait_listening(port, proc)
        load = run_load(port, proc.pid, args)
    finally:
        time.sleep(1.5)  # let a lake flush happen under the profiler
        status = stop(proc, timeout=60)
    r = json.loads(load.stdout.strip().splitlines()[-1])
    print(
        f"under cProfile: {r['calls_per_s']:,.0f} calls/s, p50 {r['p50_ms']:.2f} ms, "
        f"errors {r['errors']}, server CPU {r['server_cpu_s']:.1f} s "
        f"(event loop thread {r['server_main_cpu_s']:.1f} s), exit {status}"
    )
    print(summary(out / "main.prof", args.top, "event loop (main thread)"))
    if not args.no_log:
        print(summary(out / "writer.prof", args.top, "lake flush thread"))
    print(f"profiles: {out}/main.prof, {out}/writer.prof")
    return 0 if status in (0, -signal.SIGTERM) else 1


if __name__ == "__main__":
    sys.exit(main())
