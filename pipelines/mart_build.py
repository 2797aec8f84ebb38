"""Build marts on one connection, in dependency order, each followed by its checks: what the
marts asset runs in a Dagster step and the resident refresh runs on its own.

A mart that fails is reported and its downstream skipped; the others are built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
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


def run_check(conn: duckdb.DuckDBPyConnection, check: Check) -> Checked:
    rel = conn.sql(check.sql)
    columns = rel.columns
    bad = rel.limit(5).fetchall()
    count = int(str(sql_files.scalar(conn, f"SELECT count(*) FROM ({check.sql})")))
    examples = [dict(zip(columns, (str(v) for v in row), strict=True)) for row in bad]
    return Checked(check, count, examples)
