"""Readers: Polars over all partitions, DuckDB scan SQL, temp files never visible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.lake import paths
from ingest.lake.reader import duckdb_scan_sql, read_table
from ingest.lake.schemas import TABLES
from ingest.lake.writer import LakeWriter
from tests.ingest.lake.lake_samples import LAST_US_OF_DAY, NODE, message_row

PART_ID = "01a1ff8b-056b-7f9f-b798-43e351b366f9"


def write_two_days(lake: Path) -> None:
    next_day = ((LAST_US_OF_DAY + 1) / 1e6, *message_row(3)[1:])
    with LakeWriter(lake, NODE) as writer:
        writer.append("ocpp_messages", message_row(1))
        writer.flush()  # a second file in the same partition
        writer.append_many([("ocpp_messages", message_row(2)), ("ocpp_messages", next_day)])


def plant_temp_files(lake: Path) -> None:
    """What a writer killed mid-write leaves: half-written, unreadable hidden files."""
    for date in ("2024-11-21", "2024-11-23"):
        partition = paths.partition_dir(lake, "ocpp_messages", date)
        partition.mkdir(parents=True, exist_ok=True)
        (partition / paths.temp_file_name(NODE, PART_ID)).write_bytes(b"PAR1 torn")


@pytest.mark.parametrize("table", list(TABLES))
def test_empty_lake_gives_an_empty_typed_frame(tmp_path: Path, table: str) -> None:
    frame = read_table(tmp_path, table)
    assert frame.height == 0
    assert frame.columns == [*TABLES[table].names, "date"]
    assert frame.schema["date"] == pl.Date()
    assert frame.schema[TABLES[table].names[0]] == pl.Datetime("us", "UTC")


def test_read_table_reads_all_partitions_with_the_date_column(tmp_path: Path) -> None:
    write_two_days(tmp_path)
    frame = read_table(tmp_path, "ocpp_messages").sort("unique_id")
    assert frame["unique_id"].to_list() == ["u1", "u2", "u3"]
    assert frame["date"].to_list() == [dt.date(2024, 11, 21)] * 2 + [dt.date(2024, 11, 22)]


def test_temp_files_are_invisible_to_both_readers(tmp_path: Path) -> None:
    write_two_days(tmp_path)
    plant_temp_files(tmp_path)
    assert read_table(tmp_path, "ocpp_messages").height == 3
    sql = f"SELECT count(*) FROM {duckdb_scan_sql(tmp_path, 'ocpp_messages')}"
    assert duckdb.sql(sql).fetchall() == [(3,)]


def test_a_lake_of_only_temp_files_reads_as_empty(tmp_path: Path) -> None:
    plant_temp_files(tmp_path)
    assert read_table(tmp_path, "ocpp_messages").height == 0


def test_duckdb_scan_sql_types_and_partition_column(tmp_path: Path) -> None:
    write_two_days(tmp_path)
    relation = duckdb.sql(
        "SELECT date, count(*) AS n, max(received_at) AS last "
        f"FROM {duckdb_scan_sql(tmp_path, 'ocpp_messages')} GROUP BY date ORDER BY date"
    )
    rows = relation.fetchall()
    assert [(r[0], r[1]) for r in rows] == [(dt.date(2024, 11, 21), 2), (dt.date(2024, 11, 22), 1)]
    assert str(relation.types[2]) == "TIMESTAMP WITH TIME ZONE"
    assert rows[0][2].astimezone(dt.UTC).microsecond == 999_999


def test_duckdb_scan_sql_quotes_the_path(tmp_path: Path) -> None:
    lake = tmp_path / "it's a lake"
    write_two_days(lake)
    sql = f"SELECT count(*) FROM {duckdb_scan_sql(lake, 'ocpp_messages')}"
    assert duckdb.sql(sql).fetchall() == [(3,)]
    with pytest.raises(KeyError):
        duckdb_scan_sql(lake, "nope")
