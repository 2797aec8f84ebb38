"""``cpo pipelines run`` on a lake of two stretches years apart (a 2014 replay beside this
year's frames): staging only the lake's days vs the old single range over every day between.

    uv run python bench/bench_lake_stretches.py            # --repeats 1

Both variants run on copies of one small generated lake (2 chargers, 3 days in November 2014,
3 in January 2026), in this process, alternating; the marts come out identical (the test
tests/pipelines/test_stage_lake_days.py checks that on a smaller gap).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipelines import day_chunks
from pipelines.launch import run
from tests.pipelines.lake_fixture import FixtureLake, at

STRETCHES = (["2014-11-03", "2014-11-04", "2014-11-05"], ["2026-01-05", "2026-01-06", "2026-01-07"])


def _lake(data_dir: Path) -> None:
    lake = FixtureLake(data_dir)
    tx = 1
    for cp in ("A", "B"):
        lake.boot16(at(f"{STRETCHES[0][0]} 07:00"), cp, interval=3600)
    for days in STRETCHES:
        for day in days:
            for cp in ("A", "B"):
                for hour in range(8, 20):
                    lake.heartbeat(at(f"{day} {hour:02d}:00"), cp)
            lake.start16(at(f"{day} 09:00"), "A", 1, "TAG1", 1000, tx)
            lake.stop16(at(f"{day} 10:00"), "A", tx, 9000)
            tx += 1
    lake.write()


def _timed(data_dir: Path) -> float:
    started = time.perf_counter()
    summary = run(data_dir, progress=lambda _: None)
    assert summary.ok, summary
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    os.environ.pop("CPO_PARTITIONS_START", None)
    new_chunks: Callable[..., list[day_chunks.Chunk]] = day_chunks.lake_chunks
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        _lake(base)
        for i in range(args.repeats):
            for name in ("lake days", "every day"):
                folder = Path(tmp) / f"{name.replace(' ', '_')}-{i}"
                shutil.copytree(base, folder)
                day_chunks.lake_chunks = (  # type: ignore[method-assign]
                    new_chunks if name == "lake days"
                    else lambda days, workers: [(days[0], days[-1])])
                print(f"{name:10} {_timed(folder):7.1f} s", flush=True)
    day_chunks.lake_chunks = new_chunks  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
