"""The reconciliation's verdict and table, on hand-made totals."""

from __future__ import annotations

from ingest.replay.reconcile import Count, Reconciliation, Totals, file_totals
from tests.ingest.replay.conftest import session


def test_file_totals_per_station() -> None:
    totals = file_totals([session("B", 0, 10, 1.5), session("A", 0, 10, 2.0),
                          session("B", 20, 30, 0.25)])
    assert totals.per_station == {"A": Count(1, 2.0), "B": Count(2, 1.75)}
    assert (totals.sessions, totals.kwh) == (3, 3.75)


def test_wh_rounding_is_within_tolerance() -> None:
    rec = Reconciliation(Totals({"A": Count(2, 1.0004)}), Totals({"A": Count(2, 1.0)}))
    assert rec.ok
    assert rec.lines()[-1].startswith("result: OK")


def test_a_missing_session_is_a_mismatch() -> None:
    rec = Reconciliation(Totals({"A": Count(2, 3.0), "B": Count(1, 1.0)}),
                         Totals({"A": Count(1, 1.0), "B": Count(1, 1.0)}))
    assert not rec.ok
    assert rec.station_mismatches() == ["A"]
    text = "\n".join(rec.lines())
    assert "sessions" in text
    assert "-1" in text
    assert "A: 2 -> 1, 3.000 -> 1.000" in text
    assert "result: MISMATCH" in text


def test_energy_off_by_more_than_a_wh_per_session_is_a_mismatch() -> None:
    rec = Reconciliation(Totals({"A": Count(1, 1.0)}), Totals({"A": Count(1, 1.002)}))
    assert not rec.ok


def test_a_station_only_in_the_lake_is_a_mismatch() -> None:
    rec = Reconciliation(Totals({"A": Count(1, 1.0)}),
                         Totals({"A": Count(1, 1.0), "Z": Count(0, 0.0)}))
    assert rec.station_mismatches() == []  # nothing recovered there: no difference
    rec = Reconciliation(Totals({"A": Count(1, 1.0)}),
                         Totals({"A": Count(1, 1.0), "Z": Count(1, 0.5)}))
    assert rec.station_mismatches() == ["Z"]
    assert not rec.ok
