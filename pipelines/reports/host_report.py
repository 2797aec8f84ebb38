"""The monthly site report of one site host: utilisation, energy, revenue and the host's share,
uptime, faults and their fixes, for each site the host owns."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pipelines.reports import charts, pdf, reconcile
from pipelines.reports.emsp_report import Report
from pipelines.reports.months import MONTH_RULE, Month
from pipelines.reports.source import MartSource, Row, iso
from pipelines.reports.tables import csv_bytes, json_bytes

SESSION_COLUMNS = (
    "session_id",
    "site_id",
    "port_id",
    "start_date_time",
    "end_date_time",
    "energy_kwh",
    "charging_min",
    "idle_min",
    "revenue_excl_vat",
)
MAX_FAULT_ROWS = 25


def share_of(revenue: float, share_pct: float) -> float:
    """The host's revenue share, rounded to the cent."""
    return round(revenue * share_pct / 100, 2)


def build_host(
    source: MartSource, host: str, name: str, site_ids: list[str], share_pct: float, month: Month
) -> Report:
    sessions = source.site_sessions(site_ids, month)
    csv_rows = [
        [
            s["session_id"],
            s["site_id"],
            s["port_id"],
            iso(s["start_at"]),
            iso(s["end_at"]),
            round(s["energy_kwh"], 4),
            round(s["charging_min"] or 0, 2),
            round(s["idle_min"] or 0, 2),
            round(s["total_revenue"], 4),
        ]
        for s in sessions
    ]
    sessions_csv = csv_bytes(SESSION_COLUMNS, csv_rows)
    read_back = reconcile.csv_totals(sessions_csv, "energy_kwh", "revenue_excl_vat")
    faults = source.site_faults(site_ids, month)
    per_site = _per_site(source, site_ids, month, sessions, faults)
    totals: dict[str, Any] = {
        **read_back,
        "share_pct": share_pct,
        "share": share_of(read_back["revenue"], share_pct),
        "faults": len(faults),
        "faults_fixed": sum(1 for f in faults if not f["open"]),
    }
    summary = {
        "host": host,
        "name": name,
        "month": month.key,
        "month_rule": MONTH_RULE,
        "sites": per_site,
        "totals": totals,
        "faults": [
            {
                "site_id": f["site_id"],
                "port_id": f["port_id"],
                "start_date_time": iso(f["start_at"]),
                "end_date_time": None if f["open"] or f["end_at"] is None else iso(f["end_at"]),
                "duration_min": f["duration_min"],
                "fixed": not f["open"],
                "error_code": f["error_code"],
            }
            for f in faults
        ],
    }
    checks = [
        reconcile.totals_match(
            "sessions_csv_equals_warehouse", read_back, source.site_totals(site_ids, month)
        )
    ]
    report_pdf = _site_pdf(host, name, month, per_site, totals, sessions, faults)
    files = {
        "sessions.csv": sessions_csv,
        "summary.json": json_bytes(summary),
        "site_report.pdf": report_pdf,
    }
    return Report(host, month, "site_host", files, totals, checks)


def _per_site(
    source: MartSource, site_ids: list[str], month: Month, sessions: list[Row], faults: list[Row]
) -> list[dict[str, Any]]:
    util = source.site_utilisation(site_ids, month)
    uptime = source.site_uptime(site_ids, month)
    names = {s["site_id"]: s["name"] for s in source.sites(site_ids)}
    out = []
    for site in site_ids:
        used, up = util[site], uptime[site]
        mine = [s for s in sessions if s["site_id"] == site]
        fixed = [f for f in faults if f["site_id"] == site and not f["open"]]
        out.append(
            {
                "site_id": site,
                "name": names.get(site, site),
                "sessions": len(mine),
                "kwh": round(sum(s["energy_kwh"] for s in mine), 4),
                "revenue": round(sum(s["total_revenue"] for s in mine), 4),
                "time_utilisation_pct": None if used is None else round(used * 100, 2),
                "uptime_pct": None if up is None else round(up, 3),
                "faults": sum(1 for f in faults if f["site_id"] == site),
                "faults_fixed": len(fixed),
                "mean_minutes_to_fix": round(sum(f["duration_min"] for f in fixed) / len(fixed), 1)
                if fixed
                else None,
            }
        )
    return out


def _site_pdf(
    host: str,
    name: str,
    month: Month,
    per_site: list[dict[str, Any]],
    totals: dict[str, Any],
    sessions: list[Row],
    faults: list[Row],
) -> bytes:
    by_day: dict[int, float] = defaultdict(float)
    for s in sessions:
        by_day[s["end_at"].day] += s["energy_kwh"]
    days = list(range(1, (month.end - month.start).days + 1))
    fault_rows = [
        [
            f["port_id"],
            iso(f["start_at"]).replace("T", " ")[:16],
            f["error_code"] or "",
            "open" if f["open"] else f"fixed after {f['duration_min']:.0f} min",
        ]
        for f in faults[:MAX_FAULT_ROWS]
    ]
    story = [
        pdf.heading(f"Site report: {name}", 0),
        pdf.para(f"Host <b>{host}</b>, {month.label} ({month.key}). {MONTH_RULE}"),
        pdf.gap(),
        pdf.table(
            ["", "value"],
            [
                ["Sessions", int(totals["sessions"])],
                ["Energy delivered (kWh)", round(totals["kwh"], 3)],
                ["Charging revenue, excl. VAT", pdf.money(totals["revenue"])],
                ["Your revenue share", f"{totals['share_pct']:g} %"],
                ["Your share of revenue", pdf.money(totals["share"])],
                ["Faults (began this month)", totals["faults"]],
                ["... of which fixed", totals["faults_fixed"]],
            ],
        ),
        pdf.gap(),
        pdf.heading("Per site", 2),
        pdf.table(
            [
                "site",
                "sessions",
                "kWh",
                "revenue",
                "utilisation",
                "uptime",
                "faults",
                "fixed",
                "min to fix",
            ],
            [
                [
                    f"{s['site_id']} {s['name']}"[:30],
                    s["sessions"],
                    s["kwh"],
                    s["revenue"],
                    pdf.pct(s["time_utilisation_pct"]),
                    pdf.pct(s["uptime_pct"]),
                    s["faults"],
                    s["faults_fixed"],
                    s["mean_minutes_to_fix"],
                ]
                for s in per_site
            ],
        ),
        pdf.para(
            "Utilisation: minutes a port was in a session / minutes it was available, over the "
            "month's local days. Uptime: NEVI 23 CFR 680.116(b), excluded outages not counted. "
            "A fault is fixed when its port returned to service.",
            small=True,
        ),
        pdf.gap(),
        charts.daily_bars(
            "Energy per day (kWh, by session end, UTC)", days, [by_day[d] for d in days]
        ),
        pdf.gap(),
        pdf.heading("Faults and fixes", 2),
        pdf.table(["port", "began (UTC)", "error", "outcome"], fault_rows, numeric_from=4)
        if fault_rows
        else pdf.para("No fault this month."),
    ]
    if len(faults) > MAX_FAULT_ROWS:
        story.append(
            pdf.para(f"... and {len(faults) - MAX_FAULT_ROWS} more (see summary.json).", small=True)
        )
    return pdf.render(f"{host} site report {month.key}", "CPO operations", month.end, story)
