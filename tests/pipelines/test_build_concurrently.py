"""Marts built two at a time (the resident refresh): each after the marts it reads, on its own
connection to one database; a failed mart skips its downstream only; the tables and their
published files are those of a one-at-a-time build."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.mart_build import Built, Failed, build, build_concurrently, build_order
from pipelines.marts import Mart
from pipelines.warehouse.layout import Layout


def mart(name: str, sql: str, deps: tuple[str, ...] = ()) -> Mart:
    def builder(conn: duckdb.DuckDBPyConnection, layout: Layout) -> int:
        conn.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
        return int(conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])

    return Mart(name, "g", name, frozenset(deps), frozenset({"duckdb"}), builder)


MARTS = [
    mart("a", "SELECT range AS x FROM range(1000)"),
    mart("b", "SELECT x * 2 AS x FROM a", ("a",)),
    mart("c", "SELECT sum(x) AS s FROM b", ("b",)),
    mart("bad", "SELECT nope FROM a", ("a",)),
    mart("after_bad", "SELECT * FROM bad", ("bad",)),
    mart("after_after_bad", "SELECT * FROM after_bad", ("after_bad", "c")),
    mart("d", "SELECT count(*) AS n FROM a", ("a",)),
]


def run(tmp: Path, concurrent: bool) -> tuple[list[Built | Failed], Layout]:
    tmp.mkdir()
    layout = Layout(tmp)
    conn = duckdb.connect(str(tmp / "w.duckdb"))
    ordered = build_order(MARTS)
    if concurrent:
        done = list(build_concurrently([conn, conn.cursor()], layout, ordered))
    else:
        done = [d for d in build(conn, layout, ordered, ()) if isinstance(d, Built | Failed)]
    conn.close()
    return done, layout


def test_concurrent_build_equals_one_at_a_time(tmp_path: Path) -> None:
    one, one_layout = run(tmp_path / "one", concurrent=False)
    two, two_layout = run(tmp_path / "two", concurrent=True)
    assert {d.name for d in two if isinstance(d, Built)} == {"a", "b", "c", "d"}
    failed = {d.name: d.why for d in two if isinstance(d, Failed)}
    assert set(failed) == {"bad", "after_bad", "after_after_bad"}
    assert failed["after_bad"] == "not built: bad failed"
    assert failed["after_after_bad"] == "not built: after_bad failed"
    assert {(d.name, type(d)) for d in one} == {(d.name, type(d)) for d in two}
    for name in ("a", "b", "c", "d"):
        left = pq.read_table(one_layout.mart_file(name)).to_pylist()
        right = pq.read_table(two_layout.mart_file(name)).to_pylist()
        assert left == right  # integers: exact
    order = [d.name for d in two]
    assert order.index("a") < order.index("b") < order.index("c")
