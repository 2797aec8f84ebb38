"""``cpo replay --price-col``: the file's own amount per session lands in a side table beside
the lake, and after a pipelines run the warehouse's revenue for each session is the file's, to
the cent, joined exactly on (charge point, transaction id). Bad amounts are bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ingest.data_folder import DataFolder
from workbench.cli import app

# Two stations; CP-A has two sessions at the same start minute on its two connectors, so a key
# of station + start time alone would not tell them apart (the transaction id does).
ROWS = [
    ("CP-A", "2021-03-01T08:00:00+00:00", "2021-03-01T10:00:00+00:00", "10.0", "depot", "4.37"),
    ("CP-A", "2021-03-01T08:00:00+00:00", "2021-03-01T09:00:00+00:00", "3.5", "depot", "1.05"),
    ("CP-B", "2021-03-02T14:00:00+00:00", "2021-03-02T15:00:00+00:00", "3.0", "depot", "0"),
    ("CP-B", "2021-03-03T09:00:00+00:00", "2021-03-03T12:30:00+00:00", "15.0", "depot",
     "12.99"),
]  # fmt: skip
HEADER = ["station", "start", "end", "kwh", "site", "paid"]
runner = CliRunner()


def _csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def _replay(path: Path, data: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["replay", str(path), "--data-dir", str(data), "--site-col",
                                 "site", "--connectors", "2", *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_revenue_per_session_is_the_files_to_the_cent(tmp_path: Path) -> None:
    data = tmp_path / "d"
    code, out = _replay(_csv(tmp_path / "s.csv", ROWS), data, "--price-col", "paid",
                        "--currency", "EUR")
    assert code == 0, out
    assert "revenue (EUR)" in out
    assert "priced sessions: 4 in the file, 4 in the price table" in out
    assert "result: OK" in out
    [side] = list(DataFolder(data).replay_prices.glob("*.parquet"))
    table = pq.read_table(side).to_pylist()
    assert sorted(r["origin"] for r in table) == ["line 2", "line 3", "line 4", "line 5"]
    built = runner.invoke(app, ["pipelines", "run", "--data-dir", str(data)])
    assert built.exit_code == 0, built.output
    conn = duckdb.connect(str(data / "warehouse" / "warehouse.duckdb"), read_only=True)
    got = conn.execute(
        "SELECT c.session_id, c.total_revenue, c.currency, c.revenue_source, c.energy_revenue "
        "FROM session_charges c ORDER BY c.session_id").fetchall()
    # The join is exact: each price row is one session, each session has one price row.
    keys = {f"{r['charge_point_id']}:{r['transaction_id']}": r["amount"] for r in table}
    assert {sid for sid, *_ in got} == set(keys)
    assert len(got) == len(keys) == len(ROWS)
    for sid, total, currency, source, split in got:
        assert round(total * 100) == round(keys[sid] * 100), sid  # to the cent
        assert (currency, source, split) == ("EUR", "file", None)
    by_line = {r["origin"]: f"{r['charge_point_id']}:{r['transaction_id']}" for r in table}
    assert dict(conn.execute("SELECT session_id, total_revenue FROM session_charges").fetchall())[
        by_line["line 3"]] == pytest.approx(1.05, rel=1e-12)  # the shorter CP-A session


@pytest.mark.slow
def test_without_price_col_revenue_is_the_tariff_estimate(tmp_path: Path) -> None:
    data = tmp_path / "d"
    code, out = _replay(_csv(tmp_path / "s.csv", ROWS[:1]), data)
    assert code == 0, out
    assert "revenue (" not in out
    assert not DataFolder(data).replay_prices.exists()
    built = runner.invoke(app, ["pipelines", "run", "--data-dir", str(data)])
    assert built.exit_code == 0, built.output
    conn = duckdb.connect(str(data / "warehouse" / "warehouse.duckdb"), read_only=True)
    assert conn.execute("SELECT DISTINCT revenue_source FROM session_charges").fetchall() == [
        ("tariff_estimate",)]


def test_bad_amounts_are_bad_rows_with_their_lines(tmp_path: Path) -> None:
    rows = [ROWS[0], (*ROWS[1][:5], "NA"), (*ROWS[2][:5], "abc"), (*ROWS[3][:5], "-2.50"),
            ("CP-C", "2021-03-04T09:00:00+00:00", "2021-03-04T10:00:00+00:00", "2", "depot",
             "nan")]  # fmt: skip
    data = tmp_path / "d"
    code, out = _replay(_csv(tmp_path / "s.csv", rows), data, "--price-col", "paid")
    assert code == 2, out
    assert "4 of 5 rows cannot be replayed" in out
    assert "blank or NA value x2: line 3, line 6" in out  # NA and NaN
    assert "unreadable value x1: line 4; e.g. line 4: column 'paid': 'abc' is not an amount" \
        in out
    assert "negative price x1: line 5; e.g. line 5: amount -2.5" in out
    assert not DataFolder(data).replay_prices.exists()
    code, out = _replay(_csv(tmp_path / "s.csv", rows), data, "--price-col", "paid",
                        "--on-bad-row", "skip")
    assert code == 0, out
    [side] = list(DataFolder(data).replay_prices.glob("*.parquet"))
    assert [r["amount"] for r in pq.read_table(side).to_pylist()] == [4.37]


@pytest.mark.parametrize(("args", "says"), [
    (["--price-col", "cost"], "no column 'cost'"),
    (["--currency", "EUR"], "give --price-col with it"),
    (["--price-col", "paid", "--currency", "euro"], "give an ISO 4217 code"),
])
def test_bad_price_options_are_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    code, out = _replay(_csv(tmp_path / "s.csv", ROWS), tmp_path / "d", *args)
    assert code == 2
    assert says in out
