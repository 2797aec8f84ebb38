"""Cost of ``LakeWriter.append`` on the OCPP server's hot path, and the flush throughput.

    uv run python bench/bench_lake_writer.py [--rows 1000000] [--dir /path/on/the/real/disk]

Appends ``ocpp_messages``-shaped rows with (a) ``enabled=False`` (the "logging off" baseline),
(b) ``journal=False``, (c) ``journal=True``, with the background thread flushing every second as
in production, and prints µs/row and the ratio of each to (a) (best of ``--repeat`` runs: the
machine may be shared). Then the per-append latency distribution while the flush thread competes
for the GIL, the ``fsync=True`` cost, and the flush throughput (buffers to zstd Parquet on disk).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ingest.lake.writer import LakeWriter

Row = tuple[object, ...]
TABLE = "ocpp_messages"


def make_rows(count: int, distinct: int = 10_000) -> list[Row]:
    """``count`` references to ``distinct`` realistic rows (building 1M tuples would dominate)."""
    now = time.time()
    pool: list[Row] = []
    for i in range(distinct):
        payload = (
            f'{{"connectorId":{i % 2 + 1},"transactionId":{i},"meterValue":[{{"timestamp":'
            f'"2024-11-21T10:00:{i % 60:02d}Z","sampledValue":[{{"value":"{i * 1.5}",'
            f'"measurand":"Energy.Active.Import.Register","unit":"Wh"}}]}}]}}'
        )
        pool.append((now + i * 1e-3, "node-1", f"CP-{i % 500:05d}", f"conn-{i % 500}", "in",
                     "1.6", 2, f"{i:08x}-5b1c-4d2e-9f3a-1b2c3d4e5f60", "MeterValues", payload,
                     None, None, None, None))
    return [pool[i % distinct] for i in range(count)]


def timed_appends(writer: LakeWriter, rows: list[Row]) -> float:
    append = writer.append
    started = time.perf_counter()
    for row in rows:
        append(TABLE, row)
    return time.perf_counter() - started


def run_mode(lake: Path, rows: list[Row], interval: float = 1.0, **options: bool
             ) -> tuple[float, float]:
    """(seconds appending, seconds for close() to drain what is left)."""
    shutil.rmtree(lake, ignore_errors=True)
    writer = LakeWriter(lake, "bench", flush_interval=interval, **options)
    writer.start()
    appending = timed_appends(writer, rows)
    started = time.perf_counter()
    writer.close()
    stats = writer.stats
    assert stats.rows_written == (len(rows) if options.get("enabled", True) else 0), stats
    return appending, time.perf_counter() - started


def latency_percentiles(lake: Path, rows: list[Row]) -> list[float]:
    """µs per append (p50, p99, p99.9, max) with the journal on and the thread flushing."""
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


def flush_throughput(lake: Path, rows: list[Row]) -> tuple[float, float, int]:
    """(rows/s wall, rows/s of CPU time, bytes of Parquet) for one flush of all the rows.

    The flush runs in this thread, so thread CPU time is its cost even on a busy machine."""
    shutil.rmtree(lake, ignore_errors=True)
    with LakeWriter(lake, "bench", flush_interval=3600, journal=False) as writer:
        timed_appends(writer, rows)
        wall, cpu = time.perf_counter(), time.thread_time()
        writer.flush()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    size = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    return len(rows) / wall, len(rows) / cpu, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per mode; the best is shown")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-lake-", dir=args.dir))
    lake = root / "lake"
    rows = make_rows(args.rows)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} {TABLE} rows, lake in {root}, {os.cpu_count()} CPUs, load {load}\n")
    try:
        flush_throughput(lake, rows)  # warm-up: imports, Arrow's memory pool growth
        report_modes(lake, rows, args.repeat)
        report_latency_and_fsync(lake, rows)
        wall, cpu, size = flush_throughput(lake, rows)
        print(f"\nflush throughput (buffers to zstd Parquet): {wall:,.0f} rows/s wall, "
              f"{cpu:,.0f} rows/s of CPU; {size / len(rows):.1f} bytes/row on disk")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report_modes(lake: Path, rows: list[Row], repeat: int) -> None:
    modes: dict[str, tuple[float, dict[str, bool]]] = {
        "(a) enabled=False": (1.0, {"enabled": False}),
        "(b) journal=False": (1.0, {"journal": False}),
        "(c) journal=True": (1.0, {"journal": True}),
        # the same without the flush thread competing for the GIL during the appends
        "(c') no flush during": (3600.0, {"journal": True}),
    }
    results = {
        label: min(run_mode(lake, rows, interval, **options) for _ in range(repeat))
        for label, (interval, options) in modes.items()
    }
    base = results["(a) enabled=False"][0]
    print(f"{'mode':<20} {'append µs/row':>14} {'vs (a)':>8} {'close() drain s':>16} "
          f"{'append+drain µs/row':>20}")
    for label, (appending, drain) in results.items():
        print(f"{label:<20} {appending / len(rows) * 1e6:>14.3f} {appending / base:>7.1f}x "
              f"{drain:>16.2f} {(appending + drain) / len(rows) * 1e6:>20.3f}")


def report_latency_and_fsync(lake: Path, rows: list[Row]) -> None:
    p50, p99, p999, worst = latency_percentiles(lake, rows[:200_000])
    print(f"\nappend latency, journal on, flushing every 0.25 s (200k rows): p50 {p50:.1f} µs, "
          f"p99 {p99:.1f} µs, p99.9 {p999:.1f} µs, max {worst:.0f} µs")
    few = rows[:2_000]
    appending, _ = run_mode(lake, few, journal=True, fsync=True)
    per_row = appending / len(few) * 1e6
    print(f"fsync=True (O_DSYNC journal, {len(few):,} rows): {per_row:.1f} µs/row")


if __name__ == "__main__":
    main()
