"""What each part of the CSMS costs: the server with one piece switched off at a time.

    uv run python bench/bench_variants.py [--variants full,no-log,no-flush,...]
        [--clients 50] [--seconds 6] [--repeats 3]

Each variant is ``cpo csms --accept-unknown --rate-limit 0`` built from a ``CsmsConfig`` in a
subprocess (this file with ``--serve``), with one knob changed that the CLI does not expose.
They are run interleaved, loaded by load_gen.py, and compared by the server's CPU time per call
(all threads, and the event loop thread alone), which is steadier than calls/s here.

Variants (an experiment, not a supported mode: ``no-validate`` replaces schema validation with a
no-op, and ``no-flush`` lets journal segments pile up on disk for the whole run):

  full         every frame logged (the default server)
  no-log       --no-log
  no-flush     journal written, but the converter process turns nothing into Parquet during
               the run (isolates the event loop's own logging cost)
  no-validate  logged, payload validation skipped
  no-gc        logged, gc.disable() in the server
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_csms import free_port, run_load, stop, wait_listening  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "full": {},
    "no-log": {"log_frames": False},
    "no-flush": {"flush_interval": 3600.0},
    "no-validate": {"validate": False},
    "no-gc": {"gc": False},
}


def serve(port: int, data_dir: Path, variant: str) -> None:
    import gc
    import logging

    from csms_lite.config import CsmsConfig
    from workbench.commands.csms import run_loop
    from workbench.commands.csms import serve as serve_csms

    knobs = dict(VARIANTS[variant])
    if not knobs.pop("validate", True):
        from csms_lite.rpc import validation

        validation.validate = lambda *args, **kwargs: None
    if not knobs.pop("gc", True):
        gc.disable()
    logging.basicConfig(level="WARNING")
    config = CsmsConfig(data_dir=data_dir, port=port, accept_unknown=True, rate_limit=0, **knobs)
    run_loop(serve_csms(config))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default="full,no-log,no-flush,no-validate")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--serve", nargs=3, metavar=("PORT", "DIR", "VARIANT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]), args.serve[2])
        return 0
    names = args.variants.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    rows: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n in names}
    for rep in range(args.repeats):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            port, data_dir = free_port(), Path(tempfile.mkdtemp(prefix=f"variant-{name}-"))
            proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port), str(data_dir), name],
                cwd=ROOT,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_listening(port, proc)
                load = run_load(port, proc.pid, args)
            finally:
                stop(proc)
                shutil.rmtree(data_dir, ignore_errors=True)
            r = json.loads(load.stdout.strip().splitlines()[-1])
            calls = r["window_calls"] or 1
            row = (
                r["calls_per_s"],
                r["server_cpu_s"] / calls * 1e6,
                r["server_main_cpu_s"] / calls * 1e6,
                r["p50_ms"],
            )
            rows[name].append(row)
            print(
                f"repeat {rep} {name:<12} {row[0]:>8,.0f} calls/s  CPU {row[1]:6.1f} us/call "
                f"(event loop {row[2]:6.1f})  p50 {row[3]:.2f} ms  errors {r['errors']}",
                flush=True,
            )
    print(f"\nmedians of {args.repeats}:")
    print(f"{'variant':<12} {'calls/s':>9} {'CPU us/call':>12} {'loop us/call':>13} {'p50 ms':>7}")
    for name in names:
        med = [statistics.median(x[i] for x in rows[name]) for i in range(4)]
        print(f"{name:<12} {med[0]:>9,.0f} {med[1]:>12.1f} {med[2]:>13.1f} {med[3]:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
