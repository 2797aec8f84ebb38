"""Dashboard page render times on a year of a 500-charger (~950-port) network.

Builds ``--out`` (default /tmp/bench_dashboard_year) once from a built data folder (default
/tmp/bench_pipelines: 500 chargers, 91 days) by stacking 4 copies of every mart the pages read,
each shifted by 91 days (dimensions copied once), so every time-based mart covers ~364 days.
Then, per page: the baseline = the page's own SQL run straight on DuckDB (no Streamlit, no
cache), and the render = a Streamlit AppTest run of the page, cold (caches cleared) and warm
(the same page again). Prints absolute times and render / baseline ratios.

    uv run python bench/bench_dashboard.py [--source DIR] [--out DIR] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.filters import Filters
from dashboard.queries import common, overview, planning, pricing, reliability
from dashboard.warehouse import Runner, plain_runner, tables
from ingest.data_folder import DataFolder

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
COPIES, SHIFT_DAYS = 4, 91
DIMENSIONS = {
    "dim_chargers",
    "dim_ports",
    "dim_sites",
    "dim_id_tags",
    "partners",
    "usage_ports",
    "site_tariffs",
    "tariff_components",
    "utility_prices",
    "utilisation_hour_of_week",
    "port_uptime_rolling",
}
PAGE_MARTS = DIMENSIONS | {
    "sessions",
    "session_charges",
    "port_uptime_monthly",
    "port_state_intervals",
    "charger_connectivity_intervals",
    "connector_status_intervals",
    "outages",
    "faults",
    "usage_port_hourly",
    "utilisation_port_daily",
    "utilisation_site_daily",
}


def build_year(source: Path, out: Path) -> None:
    src, dst = DataFolder(source).marts, DataFolder(out).marts
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    con = duckdb.connect()
    for name in sorted(PAGE_MARTS):
        path = src / f"{name}.parquet"
        if not path.is_file():
            continue
        if name in DIMENSIONS:
            shutil.copy(path, dst / path.name)
            continue
        cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        copies = []
        for k in range(COPIES):
            exprs = []
            for col, typ, *_ in cols:
                q = f'"{col}"'
                if col == "month":
                    exprs.append(
                        f"CAST(date_trunc('month', {q} + INTERVAL {k * SHIFT_DAYS} DAY)"
                        f" AS DATE) AS {q}"
                    )
                elif typ.startswith(("TIMESTAMP", "DATE")):
                    exprs.append(f"CAST({q} + INTERVAL {k * SHIFT_DAYS} DAY AS {typ}) AS {q}")
                elif col in ("session_id", "outage_id") and k:
                    exprs.append(f"{q} || '#{k}' AS {q}")
                else:
                    exprs.append(q)
            copies.append(f"SELECT {', '.join(exprs)} FROM read_parquet('{path}')")
        con.execute(
            f"COPY ({' UNION ALL '.join(copies)}) TO '{dst / path.name}' "
            "(FORMAT parquet, ROW_GROUP_SIZE 122880)"
        )


def page_queries(
    run: Runner, f: Filters, now: object, data: Path
) -> dict[str, Callable[[], object]]:
    """What each page asks the warehouse (the baseline)."""
    truth = DataFolder(data).sim_truth_file

    def ov() -> None:
        overview.uptime(run, f)
        overview.uptime_by_month(run, f)
        states = overview.chargers_now(run, f)
        overview.today_vs_last_week(run, f, now)  # type: ignore[arg-type]
        overview.site_health(run, f, states)
        overview.open_alerts(run, f)

    def rel() -> None:
        reliability.port_uptime(run, f)
        reliability.site_trend(run, f)
        reliability.outage_timeline(run, f)
        reliability.faults_by_code(run, f)

    def plan() -> None:
        planning.hour_of_week(run, f)
        planning.site_ranking(run, f, truth if truth.is_file() else None)
        planning.growth(run, f)

    def price() -> None:
        for fn in (
            pricing.by_site,
            pricing.by_hour,
            pricing.idle_fees,
            pricing.by_partner,
            pricing.whatif_base,
        ):
            fn(run, f)

    def partners() -> None:
        pricing.by_partner(run, f)
        pricing.partner_months(run, f)

    return {
        "overview": ov,
        "reliability": rel,
        "planning": plan,
        "pricing": price,
        "partners": partners,
    }


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=Path("/tmp/bench_pipelines"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_dashboard_year"))
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    marts = DataFolder(args.out).marts
    if args.rebuild or not (marts / "session_charges.parquet").is_file():
        print(f"building a year of marts in {marts} ...", flush=True)
        print(f"  built in {timed(lambda: build_year(args.source, args.out)):.1f} s")
    run = plain_runner(marts)
    sp = common.span(run, set(tables(marts)))
    assert sp is not None
    ports = int(run("SELECT count(*) AS n FROM dim_ports", ()).at[0, "n"])
    rows = int(run("SELECT count(*) AS n FROM session_charges", ()).at[0, "n"])
    print(f"warehouse: {ports} ports, {rows:,} sessions, {sp.first} .. {sp.last}")
    f = Filters(start=sp.first, end=sp.last)
    queries = page_queries(run, f, sp.now, args.out)
    for fn in queries.values():
        fn()  # warm the OS file cache so the baseline is not a disk read
    os.environ["CPO_DATA_DIR"] = str(args.out)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    t_main = timed(at.run)
    print(f"{'page':<12} {'baseline s':>10} {'cold s':>8} {'warm s':>8} {'cold/base':>10}")
    first = True
    for page, fn in queries.items():
        base = min(timed(fn) for _ in range(3))
        path = f"views/{page}.py"
        at.switch_page(path)
        cold = t_main if first else timed(at.run)
        first = False
        warm = timed(at.switch_page(path).run)
        assert not at.exception, [e.message for e in at.exception]
        print(f"{page:<12} {base:>10.3f} {cold:>8.3f} {warm:>8.3f} {cold / base:>9.1f}x")


if __name__ == "__main__":
    main()
