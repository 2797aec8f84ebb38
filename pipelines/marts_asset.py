"""Every mart and check under ``defs/`` as one Dagster multi-asset: one asset key per table (with
its description, group and deps from the SQL), built in one step, in dependency order.

One step rather than one per table: a step cost Dagster ~0.1 s of bookkeeping (a 60-mart build
spent 6 s on it), more than most marts' SQL. The graph, the lineage and the checks stay per table.
A mart that fails is reported and its downstream skipped; the others are built, then the step
fails naming what failed.
"""

# No "from __future__ import annotations": Dagster reads the asset function's annotations.
import importlib
import pkgutil
import time
from collections.abc import Iterable, Iterator
from graphlib import TopologicalSorter
from types import ModuleType

import dagster as dg
import duckdb

from pipelines.marts import Check, Mart
from pipelines.resources import WarehouseResource
from pipelines.warehouse import sql_files

ASSET = "marts"  # the op's name; each table keeps its own asset key


def collect(package: ModuleType) -> tuple[list[Mart], list[Check]]:
    """The ``Mart`` and ``Check`` objects the modules under ``package`` declare (at module level,
    alone or in a list or tuple), in a stable order."""
    marts: dict[str, Mart] = {}
    checks: dict[tuple[str, str], Check] = {}
    for info in sorted(pkgutil.walk_packages(package.__path__, package.__name__ + "."),
                       key=lambda i: i.name):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            for item in value if type(value) in (list, tuple) else [value]:
                if isinstance(item, Mart):
                    marts[item.name] = item
                elif isinstance(item, Check):
                    checks[(item.asset, item.name)] = item
    return list(marts.values()), list(checks.values())


def build_order(marts: Iterable[Mart]) -> list[Mart]:
    """Dependencies first (a mart's deps outside ``marts`` are other assets: already built)."""
    by_name = {m.name: m for m in marts}
    graph = {m.name: {d for d in m.deps if d in by_name} for m in by_name.values()}
    return [by_name[name] for name in TopologicalSorter(graph).static_order()]


def marts_asset(marts: list[Mart], checks: list[Check]) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            m.name,
            deps=sorted(m.deps),
            group_name=m.group,
            kinds=set(m.kinds),
            description=m.description,
            skippable=True,
        )
        for m in marts
    ]
    check_specs = [
        dg.AssetCheckSpec(c.name, asset=c.asset, description=c.description) for c in checks
    ]
    checks_of: dict[str, list[Check]] = {}
    for c in checks:
        checks_of.setdefault(c.asset, []).append(c)
    ordered = build_order(marts)

    @dg.multi_asset(name=ASSET, specs=specs, check_specs=check_specs, can_subset=True)
    def _marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:  # type: ignore[type-arg]
        selected = {k.to_user_string() for k in context.selected_asset_keys}
        selected_checks = {(k.asset_key.to_user_string(), k.name)
                           for k in context.selected_asset_check_keys}
        layout = warehouse.layout()
        failed: dict[str, str] = {}
        with warehouse.connect() as conn:
            for mart in ordered:
                if mart.name not in selected:
                    continue
                broken = sorted(d for d in mart.deps if d in failed)
                if broken:
                    failed[mart.name] = f"not built: {', '.join(broken)} failed"
                    continue
                started = time.perf_counter()
                try:
                    rows = mart.materialize(conn, layout)
                except Exception as exc:  # a mart's error must not stop the unrelated marts
                    failed[mart.name] = f"{type(exc).__name__}: {exc}"
                    context.log.error(f"{mart.name}: {failed[mart.name]}")
                    continue
                yield dg.MaterializeResult(
                    asset_key=mart.name,
                    metadata={"dagster/row_count": rows,
                              "seconds": round(time.perf_counter() - started, 3)},
                )
                for check in checks_of.get(mart.name, []):
                    if (mart.name, check.name) in selected_checks:
                        yield run_check(conn, check)
        if failed:
            lines = "; ".join(f"{name}: {why}" for name, why in failed.items())
            raise dg.Failure(description=f"{len(failed)} mart(s) failed: {lines}")

    return _marts


def run_check(conn: duckdb.DuckDBPyConnection, check: Check) -> dg.AssetCheckResult:
    rel = conn.sql(check.sql)
    columns = rel.columns
    bad = rel.limit(5).fetchall()
    count = int(str(sql_files.scalar(conn, f"SELECT count(*) FROM ({check.sql})")))
    examples = [dict(zip(columns, (str(v) for v in row), strict=True)) for row in bad]
    return dg.AssetCheckResult(
        asset_key=check.asset,
        check_name=check.name,
        passed=count == 0,
        metadata={"offending_rows": count, "examples": dg.MetadataValue.json(examples)},
    )
