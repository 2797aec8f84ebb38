"""A backfill (staging of every lake day, then the marts) with 1 and with N worker processes.

Each configuration runs `cpo pipelines run --workers N` as a child process on a fresh copy of a
simulated data folder (lake + registry; no warehouse, no Dagster home), so every run pays the
same process start-up and none reuses another's imports or files. The phases come from the
runs' own records on the data folder's Dagster instance: staging = first staging run's start
to last staging run's end (so it leaves out the workers' process start-up, which the total
includes); marts = the build_marts run. With --repeat R the configurations alternate R times
and each figure is the best of R (the least disturbed by anything else on the machine).
The copies are local folders: the runs ignore ``CPO_LAKE_URL`` (an S3 lake is not copied).

    uv run cpo simulate --data-dir /tmp/bench_lake30 --chargers 100 --sites 12 --days 30
    uv run python bench/bench_backfill.py --lake /tmp/bench_lake30 --workers 1,2
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from ingest.data_folder import DataFolder
from ingest.lake.location import LAKE_URL_ENV

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    workers: int
    total_s: float
    staging_s: float
    marts_s: float
    staging_runs: int


def fresh_copy(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    have, make = DataFolder(source), DataFolder(target)
    for src, dst in zip(copied(have), copied(make), strict=True):
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.exists():
            shutil.copy2(src, dst)


def copied(folder: DataFolder) -> tuple[Path, ...]:
    """What a backfill reads: the lake, the registry, the simulator's network, the config."""
    return folder.local_lake, folder.registry_file, folder.sim, folder.config


def run_once(data_dir: Path, workers: int, extra: list[str]) -> float:
    """`cpo pipelines run` in a child process, its progress lines prefixed; wall seconds."""
    command = [sys.executable, "-m", "workbench.cli", "pipelines", "run",
               "--data-dir", str(data_dir), "--workers", str(workers), *extra]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != LAKE_URL_ENV}  # the copy's own lake
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if "Warning" in line or line.startswith("  return "):
                continue  # Dagster's beta warnings
            print(f"  [{workers}w] {line.rstrip()}", flush=True)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"`{' '.join(command)}` exited with {child.returncode}")
    return seconds


def phases(data_dir: Path) -> tuple[float, float, int]:
    """(staging seconds, marts seconds, staging runs) from the instance's run records."""
    instance = dg.DagsterInstance.from_config(str(DataFolder(data_dir).dagster_home))
    try:
        records = instance.get_run_records()
        spans: dict[str, list[tuple[float, float]]] = {}
        for r in records:
            if r.start_time is not None and r.end_time is not None:
                spans.setdefault(r.dagster_run.job_name, []).append((r.start_time, r.end_time))
    finally:
        instance.dispose()
    staging = spans.get("stage_days", [])
    marts = spans.get("build_marts", [])

    def wall(s: list[tuple[float, float]]) -> float:
        return max(e for _, e in s) - min(b for b, _ in s) if s else 0.0

    return wall(staging), wall(marts), len(staging)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Example: uv run python bench/bench_backfill.py --lake /tmp/bench_lake30",
    )
    parser.add_argument(
        "--lake",
        type=Path,
        default=Path("/tmp/bench_lake30"),
        help="a data folder filled by `cpo simulate` (read, never written)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/bench_backfill"),
        help="scratch folder for the copies (replaced)",
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="comma-separated worker counts to compare; the first is the base",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds; best of each is kept")
    parser.add_argument("--from", dest="first", help="first day (default: the lake's first)")
    parser.add_argument("--to", dest="last", help="last day (default: the lake's last)")
    args = parser.parse_args()  # fmt: skip

    if not DataFolder(args.lake).local_lake.is_dir():
        raise SystemExit(f"{args.lake} has no lake/: fill it with `cpo simulate --data-dir ...`")
    if os.environ.get(LAKE_URL_ENV):
        print(f"note: {LAKE_URL_ENV} is ignored: each run reads its local copy of {args.lake}")
    counts = [int(n) for n in args.workers.split(",")]
    extra = [*(["--from", args.first] if args.first else []),
             *(["--to", args.last] if args.last else [])]  # fmt: skip
    days = sorted(
        p.name.removeprefix("date=")
        for p in (DataFolder(args.lake).local_lake / "ocpp_messages").glob("date=*")
    )
    print(f"backfill of {args.lake} ({len(days)} lake days, {days[0]}..{days[-1]}) on "
          f"{os.cpu_count()} CPUs; worker counts {counts}")  # fmt: skip
    rounds: dict[int, list[Timing]] = {n: [] for n in counts}
    for r in range(1, args.repeat + 1):
        for n in counts:
            data_dir = args.work / f"w{n}"
            print(f"-- round {r}, {n} worker(s): copying the lake to {data_dir}", flush=True)
            fresh_copy(args.lake, data_dir)
            total = run_once(data_dir, n, extra)
            staging, marts, runs = phases(data_dir)
            rounds[n].append(Timing(n, total, staging, marts, runs))
            print(f"-- round {r}, {n} worker(s): {total:.1f} s (staging {staging:.1f} s in "
                  f"{runs} run(s), marts {marts:.1f} s)", flush=True)  # fmt: skip

    timings = [
        Timing(n, min(t.total_s for t in ts), min(t.staging_s for t in ts),
               min(t.marts_s for t in ts), ts[0].staging_runs)
        for n, ts in rounds.items()
    ]  # fmt: skip
    base = timings[0]
    print(f"\nbest of {args.repeat} round(s), {os.cpu_count()} CPUs:")
    print("\nworkers  staging runs  staging s  marts s  total s  total vs base  staging vs base")
    for t in timings:
        print(f"{t.workers:>7}  {t.staging_runs:>12}  {t.staging_s:>9.1f}  {t.marts_s:>7.1f}  "
              f"{t.total_s:>7.1f}  {base.total_s / t.total_s:>12.2f}x  "
              f"{base.staging_s / t.staging_s if t.staging_s else 0:>14.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
