"""Hot-path lookups hit an index, and stay cheap (printed; run with -s to see the numbers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from csms_lite.registry import ChargePoint, IdTag, Registry
from csms_lite.registry.store import (
    FIND_TRANSACTION,
    OPEN_TRANSACTIONS,
    OPEN_TRANSACTIONS_OF,
    SELECT_CHARGE_POINT,
    SELECT_ID_TAG,
)
from ingest.data_folder import DataFolder


def test_hot_queries_use_an_index(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        plans = {
            SELECT_CHARGE_POINT: ("x",),
            SELECT_ID_TAG: ("x",),
            FIND_TRANSACTION: ("x", 1, "x", 0, "x"),
            OPEN_TRANSACTIONS_OF: ("x",),
            OPEN_TRANSACTIONS: (),
        }
        for sql, params in plans.items():
            steps = [str(row[-1]) for row in reg._db.all(f"EXPLAIN QUERY PLAN {sql}", params)]
            table_steps = [s for s in steps if s.startswith(("SCAN", "SEARCH"))]
            # A bare "SCAN transactions" would read every row ever written.
            assert table_steps, (sql, steps)
            assert all("USING" in s for s in table_steps), (sql, steps)


def test_lookup_cost_per_call(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        for i in range(1000):
            reg.add_charge_point(ChargePoint(f"CP{i:04d}", connectors=2))
            reg.add_id_tag(IdTag(f"TAG{i:04d}"))
        now = datetime.now(UTC)
        cp_us = _us_per_call(lambda: reg.get_charge_point("CP0500"), 5000)
        tag_us = _us_per_call(lambda: reg.get_id_tag("tag0500", now), 5000)
    print(f"\nget_charge_point {cp_us:.1f} µs/call, get_id_tag {tag_us:.1f} µs/call")
    # Generous bound (target < 50 µs): catches a lost index, not a slow CI machine.
    assert cp_us < 500
    assert tag_us < 500


def _us_per_call(call: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6
