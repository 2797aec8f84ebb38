"""A 1.6 StartTransaction retried after its answer was lost gets the same transaction id back;
when the retry lands in another journal segment than the first (the lake's converter derives a
segment's meter rows on their own), the lake holds two ``Transaction.Begin`` rows for it.
Staging keeps the first one received: a transaction begins once."""

from __future__ import annotations

from pathlib import Path

from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import settings, staging_build
from pipelines.warehouse.layout import Layout
from tests.pipelines.lake_fixture import FixtureLake, at, iso
from tests.pipelines.warehouse_kit import warehouse_conn

DAYS = ["2026-03-01"]


def _start(when: str, meter_wh: int) -> dict[str, object]:
    return {"connectorId": 1, "idTag": "TAG1", "meterStart": meter_wh, "timestamp": iso(at(when))}


def test_a_start_retried_in_another_segment_begins_once(tmp_path: Path) -> None:
    lake = FixtureLake(tmp_path)
    answer = {"transactionId": 7, "idTagInfo": {"status": "Accepted"}}
    # each frame() derives its meter rows alone, as two journal segments would
    lake.frame(at("2026-03-01 10:00"), "A", "StartTransaction", _start("2026-03-01 10:00", 500),
               answer)
    lake.frame(at("2026-03-01 10:00:40"), "A", "StartTransaction",
               _start("2026-03-01 10:00", 500), answer)
    lake.frame(at("2026-03-01 10:30"), "A", "MeterValues", {
        "connectorId": 1, "transactionId": 7, "meterValue": [{
            "timestamp": iso(at("2026-03-01 10:30")), "sampledValue": [{"value": "2500"}]}]}, {})
    lake.heartbeat(at("2026-03-01 12:00"), "A")
    lake.write()
    begins = [r for r in lake.rows["meter_values"] if r["context"] == "Transaction.Begin"]
    assert len(begins) == 2  # the lake as two segments leave it
    for name, sql_file in staging_sql_files().items():
        staging_build.build_partitions(Layout(tmp_path), name, sql_file, DAYS,
                                       settings.BuildSettings(), threads=1)
    conn = warehouse_conn(tmp_path, as_of=at("2026-03-01 12:00"))
    rows = conn.execute(
        "SELECT received_at, energy_wh FROM stg_meter WHERE transaction_id = '7' "
        "AND context = 'Transaction.Begin'").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(at("2026-03-01 10:00"), 500.0)]
