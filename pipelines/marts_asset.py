"""Every mart and check under ``defs/`` as one Dagster multi-asset: one asset key per table (with
its description, group and deps from the SQL), built in one step, in dependency order.

One step rather than one per table: a step cost Dagster ~0.1 s of bookkeeping (a 60-mart build
spent 6 s on it), more than most marts' SQL. The graph, the lineage and the checks stay per table.
A mart that fails is reported and its downstream skipped; the others are built, then the step
fails naming what failed (``pipelines.mart_build``).
"""

# No "from __future__ import annotations": Dagster reads the asset function's annotations.
import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import dagster as dg

from pipelines.mart_build import Built, Failed, build, build_order
from pipelines.marts import Check, Mart
from pipelines.resources import WarehouseResource

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
    ordered = build_order(marts)

    @dg.multi_asset(name=ASSET, specs=specs, check_specs=check_specs, can_subset=True)
    def _marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:  # type: ignore[type-arg]
        selected = {k.to_user_string() for k in context.selected_asset_keys}
        selected_checks = {(k.asset_key.to_user_string(), k.name)
                           for k in context.selected_asset_check_keys}
        failed: list[Failed] = []
        with warehouse.connect() as conn:
            for done in build(conn, warehouse.layout(), ordered, checks, selected, selected_checks):
                if isinstance(done, Failed):
                    failed.append(done)
                    context.log.error(f"{done.name}: {done.why}")
                elif isinstance(done, Built):
                    yield dg.MaterializeResult(
                        asset_key=done.name,
                        metadata={"dagster/row_count": done.rows,
                                  "seconds": round(done.seconds, 3)},
                    )
                else:
                    yield dg.AssetCheckResult(
                        asset_key=done.check.asset,
                        check_name=done.check.name,
                        passed=done.passed,
                        metadata={"offending_rows": done.offending,
                                  "examples": dg.MetadataValue.json(done.examples)},
                    )
        if failed:
            lines = "; ".join(f"{f.name}: {f.why}" for f in failed)
            raise dg.Failure(description=f"{len(failed)} mart(s) failed: {lines}")

    return _marts
