"""Marts built one at a time against two at a time (the resident refresh's ``workers``), in the
same process on the same warehouse, alternating, so machine drift hits both alike.

Each round refreshes with no new lake data: the staging is kept and every mart (the
incremental ones from their last hour) is rebuilt and published, the marts phase of a live
refresh. Prints the median marts time per setting and the ratio. Run on a built folder:

    ./cpo demo --no-serve --data-dir /tmp/demo2 --live-minutes 2
    uv run python bench/bench_mart_workers.py --data-dir /tmp/demo2 --rounds 6
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from ingest.data_folder import DataFolder
from pipelines.launch.refresh import Refresher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a built data folder")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    lake = DataFolder(args.data_dir).local_lake
    days = sorted(d.name.removeprefix("date=") for d in (lake / "ocpp_messages").glob("date=*"))
    refreshers = {w: Refresher(args.data_dir, record=False, workers=w) for w in (1, 2)}
    for r in refreshers.values():
        assert r.refresh(days[-2], days[-1]).ok  # the first refresh of each is whole
    times: dict[int, list[float]] = {1: [], 2: []}
    for i in range(args.rounds):
        for workers, r in refreshers.items():
            done = r.refresh(days[-2], days[-1])
            assert done.ok, done.failed
            times[workers].append(done.marts_s)
        print(f"round {i + 1}/{args.rounds}: " + ", ".join(
            f"{w} worker(s) {t[-1]:.2f} s" for w, t in times.items()), flush=True)
    one, two = (statistics.median(times[w]) for w in (1, 2))
    print("| marts built | median marts phase | vs one at a time |")
    print("| --- | --- | --- |")
    print(f"| one at a time | {one:.2f} s | 1.0x |")
    print(f"| two at a time | {two:.2f} s | {one / two:.2f}x faster |")


if __name__ == "__main__":
    main()
