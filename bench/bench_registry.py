"""Cost per call of the registry's hot paths: `uv run python bench/bench_registry.py`.

Uses a temporary registry.sqlite on the same disk as the system temp folder (set TMPDIR to
measure another disk). Writes pay one fsync each (synchronous=FULL), so they depend on the disk.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from csms_lite.registry import ChargePoint, IdTag, Registry, VerifiedCache, hash_password
from ingest.data_folder import DataFolder

TS = "2025-06-01T12:00:00Z"


def us_per_call(call: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Registry(DataFolder(Path(tmp)).registry_file) as reg:
        encoded = hash_password("0123456789abcdef")
        for i in range(10_000):
            reg.add_charge_point(ChargePoint(f"CP{i:05d}", connectors=2, password_hash=encoded))
        for i in range(10_000):
            reg.add_id_tag(IdTag(f"TAG{i:05d}"))
        now = datetime.now(UTC)
        meter = itertools.count()
        tx_id, _ = reg.start_transaction("CP00001", 1, "TAG00001", -1, TS, 0.0)
        to_stop = iter([reg.start_transaction("CP9", 1, "T", i, TS, 0.0)[0] for i in range(1000)])
        cache = VerifiedCache()
        cache.verify("CP00001", "0123456789abcdef", encoded)
        rows = {
            "get_charge_point (10k rows)": us_per_call(
                lambda: reg.get_charge_point("CP05000"), 20_000
            ),
            "get_charge_point (missing)": us_per_call(lambda: reg.get_charge_point("NOPE"), 20_000),
            "get_id_tag (10k rows)": us_per_call(lambda: reg.get_id_tag("tag05000", now), 20_000),
            "start_transaction (new)": us_per_call(
                lambda: reg.start_transaction("CP00001", 1, "TAG00001", next(meter), TS, 0.0), 1_000
            ),
            "start_transaction (duplicate)": us_per_call(
                lambda: reg.start_transaction("CP00001", 1, "TAG00001", -1, TS, 0.0), 5_000
            ),
            "stop_transaction (first stop)": us_per_call(
                lambda: reg.stop_transaction(next(to_stop), "CP9", 1.0), 1_000
            ),
            "stop_transaction (repeated)": us_per_call(
                lambda: reg.stop_transaction(tx_id, "CP00001", 1.0), 1_000
            ),
            "open_transactions(cp_id)": us_per_call(
                lambda: reg.open_transactions("CP00002"), 5_000
            ),
            "VerifiedCache.verify (hit)": us_per_call(
                lambda: cache.verify("CP00001", "0123456789abcdef", encoded), 20_000
            ),
            "verify_password (scrypt)": us_per_call(
                lambda: VerifiedCache().verify("CP00001", "0123456789abcdef", encoded), 20
            ),
        }
    for name, cost in rows.items():
        print(f"{name:32s} {cost:10.1f} µs/call")


if __name__ == "__main__":
    main()
