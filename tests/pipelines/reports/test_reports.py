"""Partner reports on the hand-computed fixture month (figures worked out in fixture_month.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import fastjsonschema
import pytest
from pypdf import PdfReader

from pipelines.errors import PipelineError
from pipelines.reports import delivery_log, ocpi_schema
from pipelines.reports.build import resolve, run_report
from pipelines.reports.outbox import outbox_dir

SCHEMA = json.loads((Path(__file__).parent / "ocpi_cdr_schema.json").read_text())


def _files(data_dir: Path, partner: str, month: str) -> dict[str, bytes]:
    folder = outbox_dir(data_dir, partner, month)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_partners_are_emsps_and_hosts_not_own_app(data_dir: Path) -> None:
    # partners.json defaults: CPO-APP is the own app (no report); S01 belongs to HOST-HARBOR
    assert resolve(data_dir, None) == ["EMSP-FLEETCO", "EMSP-PLUGPAY", "EMSP-ROAMY", "HOST-HARBOR"]
    with pytest.raises(PipelineError, match="unknown partner 'CPO-APP'"):
        resolve(data_dir, "CPO-APP")


def test_january_cdrs_month_boundary_and_zero_energy(data_dir: Path) -> None:
    outcome = run_report(data_dir, "2026-01", "EMSP-ROAMY")
    assert outcome.outbox == "written"
    assert outcome.ok
    files = _files(data_dir, "EMSP-ROAMY", "2026-01")
    assert set(files) == {"cdrs.json", "cdrs.csv", "summary.pdf", "manifest.json"}
    cdrs = json.loads(files["cdrs.json"])
    # X ended on 1 February: not January's; U has no partner: nobody's
    assert [c["id"] for c in cdrs] == ["CP1:A", "CP1:Z"]
    a, z = cdrs
    assert a["total_cost"] == {"excl_vat": pytest.approx(2.1)}  # 0.70 + 0.90 + 0.50
    assert a["total_energy_cost"] == {"excl_vat": pytest.approx(1.6)}
    assert a["total_energy"] == pytest.approx(4.0)
    assert [p["dimensions"][0]["volume"] for p in a["charging_periods"]] == [2.0, 2.0]
    assert a["cdr_location"]["evse_id"] == "US*CPO*ECP1*1"
    assert (a["cdr_location"]["city"], a["cdr_location"]["state"]) == ("Santa Barbara", "CA")
    assert (z["total_energy"], z["total_cost"]["excl_vat"]) == (0.0, 0.0)
    assert len(z["charging_periods"]) == 1  # OCPI needs at least one period
    rows = list(csv.DictReader(io.StringIO(files["cdrs.csv"].decode())))
    assert [(r["id"], r["total_cost_excl_vat"], r["roaming_fee"]) for r in rows] == [
        ("CP1:A", "2.1", "0.51"),  # 10 % x 2.10 + 0.30
        ("CP1:Z", "0.0", "0.0"),
    ]
    manifest = json.loads(files["manifest.json"])
    assert manifest["totals"]["sessions"] == 2
    assert manifest["totals"]["kwh"] == pytest.approx(4.0)
    assert manifest["totals"]["revenue"] == pytest.approx(2.1)
    assert manifest["totals"]["fees"] == pytest.approx(0.51)
    assert manifest["totals"]["zero_energy_sessions"] == 1
    assert all(c["passed"] for c in manifest["checks"])


def test_february_gets_the_session_across_the_boundary(data_dir: Path) -> None:
    run_report(data_dir, "2026-02", "EMSP-ROAMY")
    [x] = json.loads(_files(data_dir, "EMSP-ROAMY", "2026-02")["cdrs.json"])
    assert x["id"] == "CP1:X"
    # 5 kWh at 15:00 local x 0.35 + 5 kWh at 16:00 local x 0.45 + 0.50 = 4.50
    assert (x["total_energy"], x["total_cost"]["excl_vat"]) == pytest.approx((10.0, 4.5))
    starts = [p["start_date_time"] for p in x["charging_periods"]]
    assert starts == ["2026-01-31T23:00:00Z", "2026-02-01T00:00:00Z"]


def test_cdrs_are_valid_ocpi_by_an_independent_json_schema(data_dir: Path) -> None:
    run_report(data_dir, "2026-01", "EMSP-ROAMY")
    validate = fastjsonschema.compile(SCHEMA)
    for cdr in json.loads(_files(data_dir, "EMSP-ROAMY", "2026-01")["cdrs.json"]):
        validate(cdr)
        assert ocpi_schema.validate(cdr) == []


def test_own_validator_catches_bad_cdrs() -> None:
    cdr = {"id": "x" * 40, "auth_method": "MAGIC", "cdr_token": {"uid": 5}}
    problems = ocpi_schema.validate(cdr)
    assert "cdr.id: " + repr("x" * 40) + " is longer than 39" in problems
    assert any(p.startswith("cdr.auth_method: 'MAGIC' is not one of") for p in problems)
    assert "cdr.cdr_token.uid: expected a string" in problems
    assert "cdr.total_cost: missing" in problems
    assert "cdr.charging_periods: missing" in problems


def test_summary_pdf_text(data_dir: Path) -> None:
    run_report(data_dir, "2026-01", "EMSP-ROAMY")
    reader = PdfReader(io.BytesIO(_files(data_dir, "EMSP-ROAMY", "2026-01")["summary.pdf"]))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Roaming usage report: Roamy",
        "January 2026",
        "UTC calendar month in which it ended",
        "Sessions (CDRs) 2",
        "Sessions without energy (not billed) 1",
        "USD 2.10",  # revenue
        "USD 0.51",  # fee
        "USD 1.59",  # net 2.10 - 0.51
        "99.50 %",  # S01's uptime in January
        "Harbor",
    ):
        assert expected in text, expected


def test_site_host_report(data_dir: Path) -> None:
    outcome = run_report(data_dir, "2026-01", "HOST-HARBOR")
    assert outcome.ok
    assert outcome.kind == "site_host"
    files = _files(data_dir, "HOST-HARBOR", "2026-01")
    assert set(files) == {"sessions.csv", "summary.json", "site_report.pdf", "manifest.json"}
    summary = json.loads(files["summary.json"])
    [s01] = summary["sites"]
    # A + Z + U (unknown partner counts for the host): 3 sessions, 4 + 0 + 3 kWh, 2.10 + 0 + 1.55
    assert (s01["sessions"], s01["kwh"], s01["revenue"]) == pytest.approx((3, 7.0, 3.65))
    assert summary["totals"]["share"] == pytest.approx(0.73)  # 20 % of 3.65
    assert s01["time_utilisation_pct"] == pytest.approx(6.25)  # (60 + 120) / (1440 + 1440)
    assert (s01["faults"], s01["faults_fixed"], s01["mean_minutes_to_fix"]) == pytest.approx(
        (2, 1, 30.0))
    pages = PdfReader(io.BytesIO(files["site_report.pdf"])).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    for expected in (
        "Site report: Harbor District",
        "USD 0.73",
        "20 %",
        "fixed after 30 min",
        "open",
    ):
        assert expected in text, expected


def test_rerun_is_byte_identical(data_dir: Path) -> None:
    run_report(data_dir, "2026-01", "EMSP-ROAMY")
    first = _files(data_dir, "EMSP-ROAMY", "2026-01")
    again = run_report(data_dir, "2026-01", "EMSP-ROAMY")
    assert again.outbox == "unchanged"
    assert _files(data_dir, "EMSP-ROAMY", "2026-01") == first


def test_failed_reconciliation_blocks_delivery_and_logs_why(data_dir: Path) -> None:
    # Corrupt one CDR's total in the cdrs mart: it no longer matches session_charges.
    cdrs = data_dir / "warehouse" / "marts" / "cdrs.parquet"
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CASE WHEN id = 'CP1:A' THEN 9.99 ELSE total_cost_excl_vat END "
        f"AS total_cost_excl_vat) FROM '{cdrs}') TO '{cdrs}.new' (FORMAT parquet)"
    )
    Path(f"{cdrs}.new").replace(cdrs)
    outcome = run_report(data_dir, "2026-01", "EMSP-ROAMY", do_push=True)
    assert not outcome.ok
    assert outcome.outbox == "not_written"
    assert not outbox_dir(data_dir, "EMSP-ROAMY", "2026-01").exists()
    [entry] = delivery_log.entries(data_dir / "reports")
    assert entry["status"] == "checks_failed"
    assert "revenue report 9.9900 != warehouse 2.1000" in entry["reason"]
    assert "NOT DELIVERED" in outcome.line()


def test_bad_month_and_missing_warehouse(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(PipelineError, match="use YYYY-MM"):
        run_report(data_dir, "2026-13", "EMSP-ROAMY")
    with pytest.raises(PipelineError, match="cpo pipelines run"):
        run_report(tmp_path / "nothing", "2026-01", "EMSP-ROAMY")
