"""OCPP 1.6 transaction ids: idempotent starts, uniqueness across objects, re-opens, processes."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from csms_lite.registry import Registry
from csms_lite.registry.models import StopOutcome
from ingest.data_folder import DataFolder

TS = "2025-06-01T12:00:00Z"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        yield reg


def test_duplicate_start_returns_same_id(registry: Registry) -> None:
    first = registry.start_transaction("CP1", 1, "TAG", 1000, TS, now=1.0)
    again = registry.start_transaction("CP1", 1, "TAG", 1000, TS, now=2.0)
    assert first == (first[0], False)
    assert again == (first[0], True)
    assert len(registry.open_transactions()) == 1


@pytest.mark.parametrize(
    "changed",
    [("CP2", 1, "TAG", 1000, TS), ("CP1", 2, "TAG", 1000, TS), ("CP1", 1, "TAG2", 1000, TS),
     ("CP1", 1, "TAG", 1001, TS), ("CP1", 1, "TAG", 1000, "2025-06-01T12:00:01Z")],
)  # fmt: skip
def test_any_key_change_is_a_new_transaction(
    registry: Registry, changed: tuple[str, int, str, int, str]
) -> None:
    first, _ = registry.start_transaction("CP1", 1, "TAG", 1000, TS, now=1.0)
    second, duplicate = registry.start_transaction(*changed, now=1.0)
    assert second > first
    assert not duplicate


def test_duplicate_after_stop_still_same_id(registry: Registry) -> None:
    tx_id, _ = registry.start_transaction("CP1", 1, "TAG", 0, TS, now=1.0)
    assert registry.stop_transaction(tx_id, "CP1", now=5.0) is StopOutcome.STOPPED
    assert registry.start_transaction("CP1", 1, "TAG", 0, TS, now=9.0) == (tx_id, True)
    assert registry.open_transactions() == []  # a retried start does not reopen it


def test_ids_unique_and_increasing_across_objects_and_reopen(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).registry_file
    ids: list[int] = []
    with Registry(path) as a, Registry(path) as b:
        for i in range(10):
            ids.append((a if i % 2 else b).start_transaction("CP1", 1, "T", i, TS, 0.0)[0])
    with Registry(path) as reopened:
        ids.append(reopened.start_transaction("CP1", 1, "T", 99, TS, 0.0)[0])
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert ids[0] >= 1


def test_ids_never_reused_after_rows_are_deleted(tmp_path: Path) -> None:
    import sqlite3

    path = DataFolder(tmp_path).registry_file
    with Registry(path) as reg:
        last, _ = reg.start_transaction("CP1", 1, "T", 0, TS, 0.0)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM transactions")
    with Registry(path) as reg:
        assert reg.start_transaction("CP1", 1, "T", 0, TS, 0.0) == (last + 1, False)


def test_open_and_stop_transactions(registry: Registry) -> None:
    t1, _ = registry.start_transaction("CP1", 1, "A", 0, TS, 1.0)
    t2, _ = registry.start_transaction("CP1", 2, "B", 0, TS, 1.0)
    t3, _ = registry.start_transaction("CP2", 1, "C", 0, TS, 1.0)
    assert registry.open_transactions() == [(t1, "CP1", 1, "A"), (t2, "CP1", 2, "B"),
                                            (t3, "CP2", 1, "C")]  # fmt: skip
    assert registry.open_transactions("CP1") == [(t1, "CP1", 1, "A"), (t2, "CP1", 2, "B")]
    assert registry.open_transactions("CP9") == []
    assert registry.stop_transaction(t1, "CP1", 2.0) is StopOutcome.STOPPED
    # a retried stop is still known
    assert registry.stop_transaction(t1, "CP1", 3.0) is StopOutcome.STOPPED
    assert registry.stop_transaction(t3 + 100, "CP1", 2.0) is StopOutcome.UNKNOWN
    # CP1 cannot end CP2's transaction
    assert registry.stop_transaction(t3, "CP1", 2.0) is StopOutcome.FOREIGN
    assert registry.open_transactions() == [(t2, "CP1", 2, "B"), (t3, "CP2", 1, "C")]
    assert registry.open_transactions("CP1") == [(t2, "CP1", 2, "B")]


def test_open_transactions_survive_reopen(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        tx_id, _ = reg.start_transaction("CP1", 1, "A", 0, TS, 1.0)
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        assert reg.open_transactions() == [(tx_id, "CP1", 1, "A")]


def test_threads_sharing_one_registry_get_unique_ids(registry: Registry) -> None:
    ids: list[int] = []

    def worker(name: str) -> None:
        for i in range(100):
            ids.append(registry.start_transaction(name, 1, "T", i, TS, 0.0)[0])
            assert registry.get_charge_point(name) is None

    threads = [threading.Thread(target=worker, args=(f"CP{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 400


def _start_many(
    path: str, worker: str, count: int, queue: multiprocessing.Queue[list[int]]
) -> None:
    with Registry(Path(path)) as reg:
        ids = [reg.start_transaction(worker, 1, "T", i, TS, 0.0)[0] for i in range(count)]
        # Both workers also send one identical start: it must map to one id.
        ids.append(reg.start_transaction("SHARED", 1, "T", 0, TS, 0.0)[0])
    queue.put(ids)


def test_concurrent_processes_get_unique_ids(tmp_path: Path) -> None:
    path = DataFolder(tmp_path).registry_file  # not created yet: both workers race to create it
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited connection
    queue: multiprocessing.Queue[list[int]] = ctx.Queue()
    workers = [
        ctx.Process(target=_start_many, args=(str(path), f"CP{n}", 200, queue)) for n in (1, 2)
    ]
    for proc in workers:
        proc.start()
    results = [queue.get(timeout=60) for _ in workers]
    for proc in workers:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    own = [tx for ids in results for tx in ids[:-1]]
    assert len(own) == 400
    assert len(set(own)) == 400
    assert results[0][-1] == results[1][-1]  # the shared duplicate got one id
    assert results[0][:-1] == sorted(results[0][:-1])
    with Registry(path) as reg:
        assert len(reg.open_transactions()) == 401


def _open_at_once(path: str, barrier: Barrier, queue: multiprocessing.Queue[object]) -> None:
    barrier.wait()
    try:
        with Registry(Path(path)) as reg:
            queue.put(reg.start_transaction("CP1", 1, "T", 0, TS, 0.0))
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(repr(exc))


@pytest.mark.slow
def test_processes_creating_the_same_new_file_at_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")  # fast start; the parent holds no connection
    for round_no in range(8):  # the race is timing-dependent: several rounds catch it
        path = str(DataFolder(tmp_path / str(round_no)).registry_file)
        barrier, queue = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(path, barrier, queue)) for _ in range(6)]
        for proc in procs:
            proc.start()
        results = [queue.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
        assert sorted(results, key=str) == [(1, False)] + [(1, True)] * 5, results
