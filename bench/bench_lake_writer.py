"""Cost of ``LakeWriter.append`` on the OCPP server's hot path, and the flush throughput.

    uv run python bench/bench_lake_writer.py [--rows 1000000] [--dir /path/on/the/real/disk]

Appends ``ocpp_messages``-shaped rows with (a) ``enabled=False`` (the "logging off" baseline),
(b) ``journal=False``, (c) ``journal=True``, with the background thread flushing every second as
in production, and prints µs/row and the ratio of each to (a). Then the per-append latency
distribution while the flush thread competes for the GIL, the ``fsync=True`` cost, and the
flush throughput (rows/s from buffers to zstd Parquet on disk).
"""

from __future__ import annotations

import argparse
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


def run_mode(lake: Path, rows: list[Row], **options: bool) -> tuple[float, float]:
    """(seconds appending, seconds for close() to drain what is left)."""
    shutil.rmtree(lake, ignore_errors=True)
    writer = LakeWriter(lake, "bench", flush_interval=1.0, **options)
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


def flush_throughput(lake: Path, rows: list[Row]) -> tuple[float, int]:
    """(rows/s of one flush of everything, bytes of Parquet written)."""
    shutil.rmtree(lake, ignore_errors=True)
    with LakeWriter(lake, "bench", flush_interval=3600, journal=False) as writer:
        timed_appends(writer, rows)
        started = time.perf_counter()
        writer.flush()
        seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    return len(rows) / seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-lake-", dir=args.dir))
    lake = root / "lake"
    rows = make_rows(args.rows)
    print(f"{args.rows:,} {TABLE} rows, lake in {root}\n")
    try:
        report_modes(lake, rows)
        report_latency_and_fsync(lake, rows)
        rate, size = flush_throughput(lake, rows)
        print(f"\nflush throughput: {rate:,.0f} rows/s to zstd Parquet "
              f"({size / len(rows):.1f} bytes/row on disk)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report_modes(lake: Path, rows: list[Row]) -> None:
    modes = {
        "(a) enabled=False": {"enabled": False},
        "(b) journal=False": {"journal": False},
        "(c) journal=True": {"journal": True},
    }
    results = {label: run_mode(lake, rows, **options) for label, options in modes.items()}
    base = results["(a) enabled=False"][0]
    print(f"{'mode':<20} {'µs/row':>8} {'vs (a)':>8} {'close() drain s':>16}")
    for label, (appending, drain) in results.items():
        print(f"{label:<20} {appending / len(rows) * 1e6:>8.3f} {appending / base:>7.1f}x "
              f"{drain:>16.2f}")


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
