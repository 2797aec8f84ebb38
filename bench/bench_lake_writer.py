"""What ``LakeWriter.append`` costs the OCPP server's process, with the converter working.

    uv run python bench/bench_lake_writer.py [--rows 1000000] [--repeat 2] [--payload both]
        [--dir /path/on/the/real/disk]

Appends ``ocpp_messages``-shaped rows on this thread with (a) ``enabled=False`` (the "logging
off" baseline) and (b) the writer on, rotating every second as in production while its converter
process turns the segments into Parquet in parallel. The figure that matters is the CPU time of
THIS process per row (``time.process_time``: every thread of the server's process, so any work
a writer does off the calling thread counts too), against (a). Also: µs/row of wall time on the
calling thread, what ``close()`` then costs (wall, and this process's CPU), and the converter's
CPU per row (``RUSAGE_CHILDREN``, once it has exited). Best of ``--repeat`` runs by CPU: the
machine may be shared. ``--payload dict`` puts the payload in the row as a parsed dict (stored as
JSON text, encoded once, in the journal line), ``str`` as JSON text. Then the per-append latency
distribution and the ``fsync=True`` cost.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from ingest.lake.writer import LakeWriter

Row = tuple[object, ...]
TABLE = "ocpp_messages"


def make_rows(count: int, payload: str, distinct: int = 10_000) -> list[Row]:
    """``count`` references to ``distinct`` realistic rows (building 1M tuples would dominate)."""
    now = time.time()
    pool: list[Row] = []
    for i in range(distinct):
        text = (
            f'{{"connectorId":{i % 2 + 1},"transactionId":{i},"meterValue":[{{"timestamp":'
            f'"2024-11-21T10:00:{i % 60:02d}Z","sampledValue":[{{"value":"{i * 1.5}",'
            f'"measurand":"Energy.Active.Import.Register","unit":"Wh"}}]}}]}}'
        )
        value = orjson.loads(text) if payload == "dict" else text
        pool.append((now + i * 1e-3, "node-1", f"CP-{i % 500:05d}", f"conn-{i % 500}", "in",
                     "1.6", 2, f"{i:08x}-5b1c-4d2e-9f3a-1b2c3d4e5f60", "MeterValues", value,
                     None, None, None, None))
    return [pool[i % distinct] for i in range(count)]


@dataclass(frozen=True)
class Run:
    append_wall: float  # seconds in the append loop
    append_cpu: float  # CPU seconds of this process during the append loop
    close_wall: float
    close_cpu: float  # CPU seconds of this process in close()
    child_cpu: float  # CPU seconds of the converter process(es), once exited


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_mode(lake: Path, rows: list[Row], interval: float = 1.0, **options: bool) -> Run:
    shutil.rmtree(lake, ignore_errors=True)
    children = children_cpu()
    writer = LakeWriter(lake, "bench", flush_interval=interval, **options)
    writer.start()
    append = writer.append
    wall, cpu = time.perf_counter(), time.process_time()
    for row in rows:
        append(TABLE, row)
    wall2, cpu2 = time.perf_counter(), time.process_time()
    writer.close()
    wall3, cpu3 = time.perf_counter(), time.process_time()
    stats = writer.stats
    assert stats.rows_written == (len(rows) if options.get("enabled", True) else 0), stats
    return Run(wall2 - wall, cpu2 - cpu, wall3 - wall2, cpu3 - cpu2, children_cpu() - children)


def latency_percentiles(lake: Path, rows: list[Row]) -> list[float]:
    """µs per append (p50, p99, p99.9, max) while rotating and converting every 0.25 s."""
    shutil.rmtree(lake, ignore_errors=True)
    samples: list[int] = []
    clock: Callable[[], int] = time.perf_counter_ns
    with LakeWriter(lake, "bench", flush_interval=0.25) as writer:
        for row in rows:
            started = clock()
            writer.append(TABLE, row)
            samples.append(clock() - started)
    samples.sort()
    picks = [samples[int(len(samples) * q)] for q in (0.5, 0.99, 0.999)] + [samples[-1]]
    return [ns / 1000 for ns in picks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per mode; the best is shown")
    parser.add_argument("--payload", choices=["str", "dict", "both"], default="both")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-lake-", dir=args.dir))
    lake = root / "lake"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} {TABLE} rows, lake in {root}, {os.cpu_count()} CPUs, load {load}\n")
    payloads = ["str", "dict"] if args.payload == "both" else [args.payload]
    try:
        run_mode(lake, make_rows(10_000, "str"))  # warm-up: imports, page cache
        report_modes(lake, args.rows, payloads, args.repeat)
        report_latency_and_fsync(lake, make_rows(200_000, payloads[0]))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report_modes(lake: Path, count: int, payloads: list[str], repeat: int) -> None:
    modes: dict[str, tuple[str, dict[str, bool]]] = {
        "(a) enabled=False": (payloads[0], {"enabled": False}),
        **{f"(b) on, payload {p}": (p, {}) for p in payloads},
    }
    results: dict[str, Run] = {}
    for label, (payload, options) in modes.items():
        rows = make_rows(count, payload)
        runs = [run_mode(lake, rows, **options) for _ in range(repeat)]
        results[label] = min(runs, key=lambda r: r.append_cpu)
    base = results["(a) enabled=False"]
    per_row = 1e6 / count
    print(f"{'mode':<22} {'append µs/row':>13} {'parent CPU µs/row':>17} {'vs (a)':>7} "
          f"{'+close() CPU':>12} {'close() s':>9} {'converter CPU µs/row':>20}")
    for label, r in results.items():
        print(f"{label:<22} {r.append_wall * per_row:>13.3f} {r.append_cpu * per_row:>17.3f} "
              f"{r.append_cpu / base.append_cpu:>6.1f}x {r.close_cpu * per_row:>12.3f} "
              f"{r.close_wall:>9.2f} {r.child_cpu * per_row:>20.3f}")
    print("\nparent CPU µs/row = this process's CPU time during the appends (all its threads);"
          "\nthe cost of logging per row is that minus (a)'s: "
          + ", ".join(f"{label[4:]} {(r.append_cpu - base.append_cpu) * per_row:.3f} µs"
                      for label, r in results.items() if r is not base))
    print(f"a str payload also costs its caller orjson.dumps(payload).decode(): "
          f"{caller_encoding():.3f} µs/row (a dict payload saves that)")


def caller_encoding(count: int = 200_000) -> float:
    """CPU µs per row to turn a parsed payload into the JSON text a str column wants."""
    payloads = [row[9] for row in make_rows(count, "dict")]
    dumps = orjson.dumps
    started = time.process_time()
    for payload in payloads:
        dumps(payload).decode()
    return (time.process_time() - started) / count * 1e6


def report_latency_and_fsync(lake: Path, rows: list[Row]) -> None:
    p50, p99, p999, worst = latency_percentiles(lake, rows)
    print(f"\nappend latency, rotating and converting every 0.25 s ({len(rows):,} rows): "
          f"p50 {p50:.1f} µs, p99 {p99:.1f} µs, p99.9 {p999:.1f} µs, max {worst:.0f} µs")
    few = rows[:2_000]
    run = run_mode(lake, few, fsync=True)
    print(f"fsync=True (O_DSYNC journal, {len(few):,} rows): "
          f"{run.append_wall / len(few) * 1e6:.1f} µs/row")


if __name__ == "__main__":
    main()
