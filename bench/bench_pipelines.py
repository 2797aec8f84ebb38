"""Full build and one-day rebuild of every pipeline asset over a lake of ~10 million OCPP
messages, against a floor measured on the same files in the same run: a bare DuckDB scan that
reads every payload (the staging layer has to read and parse them all).

The lake is a simulated network (``cpo simulate``), copied N times under new charger ids (with
their registry rows) until it holds the wanted number of messages. Each build runs as a child
process (`cpo pipelines run`), so its peak memory is measured alone.

    uv run python bench/bench_pipelines.py --base /tmp/big_base --messages 10000000
    uv run python bench/bench_pipelines.py --base /tmp/sim1 --messages 1000000   # quicker
Targets (issue 4, 2-core machine): full build <= 60 s, one day <= 5 s, peak memory <= 4 GB.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ingest.data_folder import DataFolder
from ingest.lake.schemas import TABLES

ROOT = Path(__file__).resolve().parents[1]
TABLE_ID_COLUMNS = {
    "ocpp_messages": ["charge_point_id", "connection_id"],
    "meter_values": ["charge_point_id"],
    "connection_events": ["charge_point_id", "connection_id"],
    "commands": ["charge_point_id"],
}


def messages_in(lake: Path) -> int:
    glob = str(lake / "ocpp_messages" / "*" / "*.parquet")
    return int(duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0])


def replicate(base: Path, work: Path, copies: int) -> None:
    """``copies`` copies of base's lake and registry, charger ids suffixed ``-c<k>``."""
    if work.exists():
        shutil.rmtree(work)
    have, make = DataFolder(base), DataFolder(work)
    make.local_lake.mkdir(parents=True)
    shutil.copy(have.registry_file, make.registry_file)
    reg = sqlite3.connect(make.registry_file)
    ids = [r[0] for r in reg.execute("SELECT id FROM charge_points")]
    con = duckdb.connect()
    for k in range(copies):
        for table in TABLES:
            src = have.local_lake / table
            if not any(src.glob("*/*.parquet")):
                continue
            cols = ", ".join(f"{c} || '-c{k}' AS {c}" for c in TABLE_ID_COLUMNS[table])
            out = str(make.local_lake / table)
            con.execute(
                f"COPY (SELECT * REPLACE ({cols}) FROM read_parquet('{src}/*/*.parquet', "
                f"hive_partitioning = true)) TO '{out}' (FORMAT parquet, PARTITION_BY (date), "
                f"FILENAME_PATTERN 'part-bench-c{k}-{{i}}', OVERWRITE_OR_IGNORE, COMPRESSION zstd)"
            )
        if k:
            reg.execute(
                "INSERT INTO charge_points SELECT id || ?, site, connectors, rated_kw, model, "
                "vendor, boot_status, heartbeat_interval, password_hash, latitude, longitude, "
                f"address FROM charge_points WHERE id IN ({','.join('?' * len(ids))})",
                [f"-c{k}", *ids],
            )
    reg.execute("UPDATE charge_points SET id = id || '-c0' WHERE id NOT LIKE '%-c%'")
    reg.commit()
    reg.close()


def bare_scan_s(lake: Path) -> float:
    """Read every payload and meter value once: the least any staging pass must do."""
    con = duckdb.connect(config={"threads": 2})
    started = time.perf_counter()
    con.execute(
        f"SELECT count(*), sum(length(payload)), count(DISTINCT charge_point_id) "
        f"FROM read_parquet('{lake}/ocpp_messages/*/*.parquet')"
    ).fetchall()
    con.execute(
        f"SELECT count(*), sum(value) FROM read_parquet('{lake}/meter_values/*/*.parquet')"
    ).fetchall()
    return time.perf_counter() - started


def run_cpo(data: Path, *extra: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of `cpo pipelines run` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "workbench.cli",
        "pipelines",
        "run",
        "--data-dir",
        str(data),
        *extra,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"pipelines failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    print("   ", done.stdout.strip().splitlines()[-1])
    peak_kib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak_kib / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="a simulated data folder")
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_pipelines"))
    parser.add_argument("--keep", action="store_true", help="reuse --work if it exists")
    args = parser.parse_args()

    base_n = messages_in(DataFolder(args.base).local_lake)
    copies = max(1, math.ceil(args.messages / base_n))
    if not (args.keep and args.work.exists()):
        print(f"building the lake: {copies} copies of {args.base} ({base_n:,} messages each)")
        replicate(args.base, args.work, copies)
    work = DataFolder(args.work)
    lake = work.local_lake
    total = messages_in(lake)
    days = sorted(p.name[5:] for p in (lake / "ocpp_messages").iterdir())
    print(f"lake: {total:,} OCPP messages, {len(days)} days, {copies} x the base network")

    floor = min(bare_scan_s(lake) for _ in range(2))
    print(f"bare DuckDB scan of every payload and meter value: {floor:.2f} s")
    shutil.rmtree(work.warehouse, ignore_errors=True)
    shutil.rmtree(work.dagster_home, ignore_errors=True)
    full_s, full_gib = run_cpo(args.work)
    print(
        f"full build: {full_s:.1f} s ({full_s / floor:.1f} x the bare scan), "
        f"peak RSS {full_gib:.2f} GiB  [targets: <= 60 s, <= 4 GiB]"
    )
    day = days[len(days) // 2]
    day_s, day_gib = run_cpo(args.work, "--from", day, "--to", day)
    print(
        f"one day ({day}) re-staged + marts: {day_s:.1f} s ({day_s / floor:.1f} x the bare "
        f"scan), peak RSS {day_gib:.2f} GiB  [target: <= 5 s]"
    )


if __name__ == "__main__":
    main()
