"""The live warehouse refresh against the old live path, in the same run on the same folder.

From a simulated data folder (``--base``), a work copy is cut back to "the lake before its
last full day"; a full ``cpo pipelines run`` builds it and a resident refresher warms up (its first
refresh is whole). Then, as a live system sees it:

1. **one new day**: the last day that runs to midnight lands (later ones stay out), all but
   its last 15 minutes, and the refresher refreshes;
2. **15-minute refresh**: the last 15 minutes land, and it refreshes again;
3. **baseline**: what the demo's live phase did per refresh before: a child
   ``cpo pipelines run --from <the day before>`` (Python start, code location, two Dagster runs,
   every mart rebuilt whole).

Prints each time and its ratio to the baseline. Run on the demo network, for example:

    ./cpo demo --no-serve --data-dir /tmp/demo2 --live-minutes 2
    uv run python bench/bench_refresh.py --base /tmp/demo2
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from ingest.data_folder import DataFolder
from pipelines.launch import run as run_pipelines
from pipelines.launch.refresh import Refreshed, Refresher

TAIL = timedelta(minutes=15)


def lake_tables(lake: Path) -> list[Path]:
    return [p for p in lake.iterdir() if p.is_dir() and not p.name.startswith("_")]


def lake_days(lake: Path) -> list[str]:
    return sorted({d.name.removeprefix("date=") for t in lake_tables(lake)
                   for d in t.glob("date=*")})


def last_full_day(lake: Path) -> str:
    """The last day the lake holds to its end (frames in its last hour): a demo's live phase
    leaves a last day of a few hours, which would make "one new day" a small one."""
    con = duckdb.connect()
    for day in reversed(lake_days(lake)):
        files = lake / "ocpp_messages" / f"date={day}" / "*.parquet"
        end = con.execute(f"SELECT max(received_at) FROM read_parquet('{files}')").fetchone()
        if end is not None and end[0] is not None and end[0].hour == 23:
            return day
    raise SystemExit(f"no day of {lake} runs to its last hour")


def hold_day(lake: Path, day: str, held: Path) -> None:
    """Move the day's partition of every table out of the lake."""
    for table in lake_tables(lake):
        folder = table / f"date={day}"
        if folder.is_dir():
            (held / table.name).mkdir(parents=True, exist_ok=True)
            shutil.move(folder, held / table.name / folder.name)


def land(lake: Path, day: str, held: Path, cut: object, tail: bool) -> None:
    """Write the held day's rows before ``cut`` into the lake, or (``tail``) the rows from
    ``cut`` on, as a new part file per table, as a live lake grows (the first column is the
    server time every table is partitioned by)."""
    con = duckdb.connect()
    for table in (p for p in held.iterdir() if (p / f"date={day}").is_dir()):
        source = table / f"date={day}"
        target = lake / table.name / f"date={day}"
        target.mkdir(parents=True, exist_ok=True)
        rel = con.read_parquet(str(source / "*.parquet"))
        first = duckdb.ColumnExpression(rel.columns[0])
        rows = rel.filter(first >= cut if tail else first < cut)
        rows.write_parquet(str(target / f"part-bench-{int(tail)}.parquet"), compression="zstd")


def cut_time(held: Path, day: str) -> object:
    con = duckdb.connect()
    source = held / "ocpp_messages" / f"date={day}" / "*.parquet"
    end = con.execute(f"SELECT max(received_at) FROM read_parquet('{source}')").fetchone()
    assert end is not None
    return end[0] - TAIL


def baseline(data_dir: Path, day_before: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "workbench.cli", "pipelines", "run", "--data-dir", str(data_dir),
         "--from", day_before],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def row(label: str, seconds: float, base: float, note: str = "") -> str:
    return f"| {label} | {seconds:.2f} s | {base / seconds:.1f}x faster | {note} |"


def describe(done: Refreshed) -> str:
    return (f"staging {done.staging_s:.2f} s ({len(done.days)} days), marts {done.marts_s:.2f} s, "
            f"then checks {done.checks_s:.2f} s and Dagster records {done.recorded_s:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="a simulated data folder")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    data = work / "data"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.base, data, ignore=shutil.ignore_patterns("warehouse", "dagster_home"))
    lake, held = DataFolder(data).local_lake, work / "held"
    day = last_full_day(lake)
    for later in (d for d in lake_days(lake) if d >= day):
        hold_day(lake, later, held)  # the days after it stay out: a lake grows at its end
    cut = cut_time(held, day)
    print(f"lake {args.base} before its last full day ({day}): full cpo pipelines run ...",
          flush=True)
    assert run_pipelines(data, progress=lambda _: None).ok
    refresher = Refresher(data)
    try:
        days = sorted(d.name.removeprefix("date=") for d in (lake / "ocpp_messages").glob("date=*"))
        warm = refresher.refresh(days[-1], days[-1])
        land(lake, day, held, cut, tail=False)
        new_day = refresher.refresh(days[-1], day)
        land(lake, day, held, cut, tail=True)
        quarter = refresher.refresh(days[-1], day)
    finally:
        refresher.close()
    for done in (warm, new_day, quarter):
        assert done.ok, done.failed
    base = baseline(data, days[-1])
    print("| refresh | fresh in | vs baseline | where the time goes |")
    print("| --- | --- | --- | --- |")
    print(row("baseline: child `cpo pipelines run --from` the day before", base, base,
              "Python start, code location, two Dagster runs, every mart whole"))
    print(row("resident, first refresh (whole)", warm.fresh_s, base, describe(warm)))
    print(row("one new day (its last 15 min held back)", new_day.fresh_s, base,
              describe(new_day)))
    print(row("15-minute refresh", quarter.fresh_s, base, describe(quarter)))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
