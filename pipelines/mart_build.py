"""Build marts on one connection, in dependency order, each followed by its checks: what the
marts asset runs in a Dagster step and the resident refresh runs on its own.

A mart that fails is reported and its downstream skipped; the others are built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from graphlib import TopologicalSorter

import duckdb

from pipelines.marts import Check, Mart
from pipelines.warehouse import sql_files
from pipelines.warehouse.layout import Layout


@dataclass(frozen=True)
class Built:
    name: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class Checked:
    check: Check
    offending: int
    examples: list[dict[str, str]]

    @property
    def passed(self) -> bool:
        return self.offending == 0


@dataclass(frozen=True)
class Failed:
    name: str
    why: str


def build_order(marts: Iterable[Mart]) -> list[Mart]:
    """Dependencies first (a mart's deps outside ``marts`` are other assets: already built)."""
    by_name = {m.name: m for m in marts}
    graph = {m.name: {d for d in m.deps if d in by_name} for m in by_name.values()}
    return [by_name[name] for name in TopologicalSorter(graph).static_order()]


def build(
    conn: duckdb.DuckDBPyConnection,
    layout: Layout,
    ordered: list[Mart],
    checks: Iterable[Check],
    wanted: Collection[str] | None = None,
    wanted_checks: Collection[tuple[str, str]] | None = None,
    keep: Callable[[Mart], bool] | None = None,
) -> Iterator[Built | Checked | Failed]:
    """Build the ``wanted`` marts of ``ordered`` (default all), each then its wanted checks.

    A mart ``keep`` says is still current is left as it is (nothing yielded for it)."""
    checks_of: dict[str, list[Check]] = {}
    for c in checks:
        checks_of.setdefault(c.asset, []).append(c)
    failed: set[str] = set()
    for mart in ordered:
        if (wanted is not None and mart.name not in wanted) or (keep is not None and keep(mart)):
            continue
        broken = sorted(d for d in mart.deps if d in failed)
        if broken:
            failed.add(mart.name)
            yield Failed(mart.name, f"not built: {', '.join(broken)} failed")
            continue
        started = time.perf_counter()
        try:
            rows = mart.materialize(conn, layout)
        except Exception as exc:  # a mart's error must not stop the unrelated marts
            failed.add(mart.name)
            yield Failed(mart.name, f"{type(exc).__name__}: {exc}")
            continue
        yield Built(mart.name, rows, time.perf_counter() - started)
        for check in checks_of.get(mart.name, []):
            if wanted_checks is None or (mart.name, check.name) in wanted_checks:
                yield run_check(conn, check)


def build_concurrently(
    conns: list[duckdb.DuckDBPyConnection],
    layout: Layout,
    ordered: list[Mart],
    keep: Callable[[Mart], bool] | None = None,
) -> Iterator[Built | Failed]:
    """Build every mart of ``ordered`` (but those ``keep`` says are current), one per connection
    at a time, each as soon as the marts it reads are built: most marts are too small for
    DuckDB to keep two cores busy on one, so two at once finish sooner. Yields in completion
    order; a failed mart's downstream is skipped. No checks: the caller runs them after."""
    todo = {m.name: m for m in ordered if keep is None or not keep(m)}
    waiting = {n: {d for d in m.deps if d in todo} for n, m in todo.items()}
    idle, failed = list(conns), set[str]()
    running: dict[Future[Built | Failed], tuple[str, duckdb.DuckDBPyConnection]] = {}

    def settle(name: str) -> Iterator[Failed]:
        """``name`` is done: its dependents stop waiting on it; those left with a failed
        dependency fail in turn (not built), and so on down."""
        finished = [name]
        while finished:
            gone = finished.pop()
            for other, deps in list(waiting.items()):
                deps.discard(gone)
                broken = sorted(d for d in todo[other].deps if d in failed)
                if broken and not deps:
                    del waiting[other]
                    failed.add(other)
                    finished.append(other)
                    yield Failed(other, f"not built: {', '.join(broken)} failed")

    with ThreadPoolExecutor(max_workers=len(conns)) as pool:
        while waiting or running:
            for name in [n for n, deps in waiting.items() if not deps][:len(idle)]:
                del waiting[name]
                conn = idle.pop()
                running[pool.submit(_build_one, conn, layout, todo[name])] = (name, conn)
            if not running:
                raise RuntimeError(f"marts wait on each other: {sorted(waiting)}")
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name, conn = running.pop(future)
                idle.append(conn)
                result = future.result()
                if isinstance(result, Failed):
                    failed.add(name)
                yield result
                yield from settle(name)


def _build_one(conn: duckdb.DuckDBPyConnection, layout: Layout, mart: Mart) -> Built | Failed:
    started = time.perf_counter()
    try:
        try:
            rows = mart.materialize(conn, layout)
        except duckdb.TransactionException:
            # a write-write conflict with the mart building beside it (their catalog entries):
            # its statement or transaction was rolled back whole, so building again is safe
            rows = mart.materialize(conn, layout)
    except Exception as exc:  # a mart's error must not stop the unrelated marts
        return Failed(mart.name, f"{type(exc).__name__}: {exc}")
    return Built(mart.name, rows, time.perf_counter() - started)



def run_check(conn: duckdb.DuckDBPyConnection, check: Check) -> Checked:
    rel = conn.sql(check.sql)
    columns = rel.columns
    bad = rel.limit(5).fetchall()
    count = int(str(sql_files.scalar(conn, f"SELECT count(*) FROM ({check.sql})")))
    examples = [dict(zip(columns, (str(v) for v in row), strict=True)) for row in bad]
    return Checked(check, count, examples)
