"""The monthly report of one eMSP: its drivers' CDRs as OCPI 2.2.1 JSON and CSV, and a PDF
summary (sessions, kWh, revenue, roaming fee, uptime of the sites used, charts)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pipelines.reports import charts, pdf, reconcile, tables
from pipelines.reports.months import MONTH_RULE, Month
from pipelines.reports.ocpi_cdr import to_ocpi
from pipelines.reports.source import MartSource, Row
from pipelines.reports.tables import json_bytes

COUNTRY = "USA"  # the network's sites are in the US (dim_sites addresses)


@dataclass
class Report:
    partner: str
    month: Month
    kind: str  # "emsp" or "site_host"
    files: dict[str, bytes]
    totals: dict[str, Any]
    checks: list[reconcile.Check] = field(default_factory=list)


def fee_of(total: float, terms: Row) -> float:
    """The partner's roaming fee on one session from its terms (session_charges.sql's rule)."""
    if total <= 0:
        return 0.0
    fee = total * float(terms["fee_pct"]) / 100 + float(terms["fee_per_session_usd"])
    return math.floor(fee * 10_000 + 0.5) / 10_000  # half up, like DuckDB's round(x, 4)


def fees_follow_terms(cdrs: list[dict[str, Any]], fees: list[float], terms: Row) -> reconcile.Check:
    """Each session's fee (the warehouse's) agrees with the partner's terms to 0.0001: the
    warehouse rounds a binary float, so an exact half-cent tie (10 % of 1.0315 + 0.30) may land
    one unit lower there; anything more is a wrong fee."""
    wrong = [
        (c["id"], fee, fee_of(c["total_cost"]["excl_vat"], terms))
        for c, fee in zip(cdrs, fees, strict=True)
        if abs(fee - fee_of(c["total_cost"]["excl_vat"], terms)) > 1.0001e-4
    ]
    if wrong:
        cdr_id, got, want = wrong[0]
        return reconcile.Check(
            "fees_follow_terms",
            False,
            f"{len(wrong)} fee(s) off terms, e.g. {cdr_id}: {got} != {want}",
        )
    return reconcile.Check("fees_follow_terms", True, f"{len(fees)} fee(s) follow the terms")


def build_emsp(
    source: MartSource, partner: str, month: Month, cpo: tuple[str, str], emsp: tuple[str, str]
) -> Report:
    rows = source.partner_cdrs(partner, month)
    terms = source.partner_terms(partner)
    cdrs = [to_ocpi(r, cpo, emsp, COUNTRY) for r in rows]
    session_fees = [round(float(r["roaming_fee"] or 0), 4) for r in rows]
    cdr_json, cdr_csv = json_bytes(cdrs), tables.cdrs_csv(cdrs, session_fees)
    fees = reconcile.csv_sum(cdr_csv, "roaming_fee")
    totals: dict[str, Any] = {
        **reconcile.cdr_json_totals(cdr_json),
        "fees": fees,
        "billed_sessions": sum(1 for c in cdrs if c["total_cost"]["excl_vat"] > 0),
        "zero_energy_sessions": sum(1 for c in cdrs if c["total_energy"] == 0),
        "currency": sorted({c["currency"] for c in cdrs}) or ["USD"],
    }
    warehouse = source.partner_totals(partner, month)
    checks = [
        reconcile.cdrs_valid(cdr_json),
        reconcile.totals_match(
            "cdrs_json_equals_warehouse", reconcile.cdr_json_totals(cdr_json), warehouse
        ),
        reconcile.totals_match(
            "cdrs_csv_equals_warehouse",
            reconcile.csv_totals(cdr_csv, "total_energy_kwh", "total_cost_excl_vat"),
            warehouse,
        ),
        reconcile.totals_match("fees_equal_warehouse", {"fees": fees}, warehouse),
        fees_follow_terms(cdrs, session_fees, terms),
    ]
    summary = _summary_pdf(source, partner, month, rows, totals, terms)
    files = {"cdrs.json": cdr_json, "cdrs.csv": cdr_csv, "summary.pdf": summary}
    return Report(partner, month, "emsp", files, totals, checks)


def _summary_pdf(
    source: MartSource,
    partner: str,
    month: Month,
    rows: list[Row],
    totals: dict[str, Any],
    terms: Row,
) -> bytes:
    currency = totals["currency"][0]
    by_site: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    names: dict[str, str] = {}
    by_day: dict[int, float] = defaultdict(float)
    for r in rows:
        site = r["cdr_location_id"] or "unknown"
        names[site] = r["cdr_location_name"] or site
        agg = by_site[site]
        agg[0] += 1
        agg[1] += round(r["total_energy"] or 0, 4)
        agg[2] += r["total_cost_excl_vat"] or 0
        by_day[r["end_date_time"].day] += r["total_energy"] or 0
    sites = sorted(by_site)
    uptime = source.site_uptime(sites, month)
    days = list(range(1, (month.end - month.start).days + 1))
    name = terms.get("name") or partner
    fee_terms = (
        f"{terms['fee_pct']:g} % of revenue + {currency} "
        f"{terms['fee_per_session_usd']:.2f} per billed session"
    )
    story = [
        pdf.heading(f"Roaming usage report: {name}", 0),
        pdf.para(f"Partner <b>{partner}</b>, {month.label} ({month.key}). {MONTH_RULE}"),
        pdf.gap(),
        pdf.table(
            ["", "value"],
            [
                ["Sessions (CDRs)", int(totals["sessions"])],
                ["Billed sessions", totals["billed_sessions"]],
                ["Sessions without energy (not billed)", totals["zero_energy_sessions"]],
                ["Energy delivered (kWh)", round(totals["kwh"], 3)],
                ["Revenue, excl. VAT", pdf.money(totals["revenue"], currency)],
                ["Your roaming fee", pdf.money(totals["fees"], currency)],
                ["Net due to the CPO", pdf.money(totals["revenue"] - totals["fees"], currency)],
            ],
        ),
        pdf.para(f"Fee terms: {fee_terms}.", small=True),
        pdf.gap(),
        pdf.heading("Sites your drivers used", 2),
        pdf.table(
            ["site", "name", "sessions", "kWh", f"revenue ({currency})", "uptime"],
            [
                [s, names[s], int(by_site[s][0]), by_site[s][1], by_site[s][2], pdf.pct(uptime[s])]
                for s in sites
            ],
            numeric_from=2,
        ),
        pdf.para(
            "Uptime: the site's ports over the month, NEVI 23 CFR 680.116(b) "
            "(excluded outages not counted).",
            small=True,
        ),
        pdf.gap(),
        charts.daily_bars(
            "Energy per day (kWh, by session end, UTC)", days, [by_day[d] for d in days]
        ),
        pdf.gap(),
        charts.labelled_bars(
            f"Revenue per site ({currency})",
            [names[s] for s in sites],
            [by_site[s][2] for s in sites],
        ),
        pdf.gap(),
        pdf.para(
            "The attached cdrs.json holds these sessions as OCPI 2.2.1 CDR objects and cdrs.csv "
            "the same rows flattened; manifest.json lists each file's SHA-256.",
            small=True,
        ),
    ]
    return pdf.render(f"{partner} usage report {month.key}", "CPO operations", month.end, story)
