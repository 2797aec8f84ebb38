"""One partner's month, end to end: build the report, reconcile it, write it to the outbox and
(optionally) push it. The Dagster asset and ``cpo reports partners`` both call ``run_report``.

Idempotency: the outbox files are byte-identical on a re-run over the same data (the outbox says
"unchanged"), and a push happens at most once per report id (the manifest's sha256) unless
``force``. A report whose checks fail is neither written to the outbox nor pushed; the failure
and its reason go to the delivery log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import PipelineError
from pipelines.reports import config, delivery_log, outbox, push, reconcile
from pipelines.reports.emsp_report import Report, build_emsp
from pipelines.reports.host_report import build_host
from pipelines.reports.months import Month
from pipelines.reports.source import MartSource
from pipelines.warehouse.layout import Layout


@dataclass
class Outcome:
    partner: str
    month: str
    kind: str
    outbox: str  # written | replaced | unchanged | not_written (checks failed)
    folder: Path
    report_id: str | None
    checks: list[reconcile.Check]
    delivery: str = "not_requested"  # delivered | already_delivered | rejected | failed | ...
    delivery_reason: str = ""
    totals: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not reconcile.failed(self.checks) and self.delivery not in ("rejected", "failed")

    def line(self) -> str:
        t = self.totals
        figures = (
            f"{int(t.get('sessions', 0))} sessions, {t.get('kwh', 0):.3f} kWh, "
            f"revenue {t.get('revenue', 0):.2f}"
        )
        bad = reconcile.failed(self.checks)
        if bad:
            return (
                f"{self.partner} {self.month}: NOT DELIVERED, check {bad[0].name} failed: "
                f"{bad[0].detail}"
            )
        push_text = "" if self.delivery == "not_requested" else f"; push {self.delivery}"
        if self.delivery_reason and self.delivery != "delivered":
            push_text += f" ({self.delivery_reason})"
        return (
            f"{self.partner} {self.month}: {figures}; outbox {self.outbox} {self.folder}{push_text}"
        )


@dataclass(frozen=True)
class Targets:
    emsps: list[str]
    hosts: dict[str, tuple[str, list[str], float]]

    @property
    def all(self) -> list[str]:
        return [*self.emsps, *sorted(self.hosts)]


def targets(source: MartSource, layout: Layout) -> Targets:
    """Who gets a report: every roaming partner and every site host."""
    hosts = config.load_site_hosts(layout.config, source.site_ids())
    emsps = source.emsps()
    for partner in emsps:
        config.check_partner_id(partner, "partners / id tags")
    clash = sorted(set(emsps) & set(hosts))
    if clash:
        raise PipelineError(f"{clash} are both a roaming partner and a site host; rename the host")
    return Targets(emsps, hosts)


def resolve(data_dir: Path, partner: str | None) -> list[str]:
    """The partners to report on: ``partner`` (checked) or all of them."""
    layout = Layout(data_dir)
    source = MartSource(layout)
    try:
        known = targets(source, layout).all
    finally:
        source.close()
    if partner is None:
        return known
    if partner not in known:
        raise PipelineError(
            f"unknown partner {partner!r}; partners and site hosts are: {', '.join(known)} "
            "(the CPO's own app gets no partner report)"
        )
    return [partner]


def build(source: MartSource, layout: Layout, month: Month, partner: str) -> Report:
    found = targets(source, layout)
    if partner in found.hosts:
        name, sites, share = found.hosts[partner]
        return build_host(source, partner, name, sites, share, month)
    if partner not in found.emsps:
        raise PipelineError(f"unknown partner {partner!r}; known: {', '.join(found.all)}")
    settings = config.load_delivery(layout.config)
    endpoint = settings.partners.get(partner, config.Endpoint())
    cpo = (settings.cpo.country_code, settings.cpo.party_id)
    emsp = (endpoint.country_code or cpo[0], endpoint.party_id or _party_guess(partner))
    return build_emsp(source, partner, month, cpo, emsp)


def _party_guess(partner: str) -> str:
    """An OCPI party id (3 characters) when the delivery config names none: from the id."""
    letters = "".join(ch for ch in partner.split("-")[-1].upper() if ch.isalnum())
    return (letters + "XXX")[:3]


def run_report(
    data_dir: Path, month: str, partner: str, do_push: bool = False, force: bool = False
) -> Outcome:
    layout = Layout(data_dir.resolve())
    the_month = Month.parse(month)
    source = MartSource(layout)
    try:
        report = build(source, layout, the_month, partner)
    finally:
        source.close()
    reports = layout.reports
    folder = outbox.outbox_dir(layout.data_dir, partner, the_month.key)
    base = {"partner": partner, "month": the_month.key, "kind": report.kind}
    bad = reconcile.failed(report.checks)
    if bad:
        reason = "; ".join(f"{c.name}: {c.detail}" for c in bad)
        delivery_log.append(reports, {**base, "status": "checks_failed", "reason": reason})
        return Outcome(
            partner,
            the_month.key,
            report.kind,
            "not_written",
            folder,
            None,
            report.checks,
            totals=report.totals,
        )
    manifest = outbox.manifest(report)
    report_id = outbox.sha256(manifest)
    previous = outbox.current_manifest(folder)
    if (
        previous is not None
        and previous != manifest
        and not force
        and delivery_log.delivered(reports, partner, the_month.key, outbox.sha256(previous))
    ):
        raise PipelineError(
            f"{partner} {the_month.key} was already delivered with different figures (the data "
            "changed since); re-run with --force to replace and re-deliver it"
        )
    written = outbox.write(folder, report, manifest)
    outcome = Outcome(
        partner,
        the_month.key,
        report.kind,
        written,
        folder,
        report_id,
        report.checks,
        totals=report.totals,
    )
    if do_push:
        _deliver(layout, reports, base, report, manifest, report_id, force, outcome)
    return outcome


def _deliver(
    layout: Layout,
    reports: Path,
    base: dict[str, Any],
    report: Report,
    manifest: bytes,
    report_id: str,
    force: bool,
    outcome: Outcome,
) -> None:
    entry = {**base, "report_id": report_id}
    endpoint = config.load_delivery(layout.config).partners.get(report.partner)
    if endpoint is None or endpoint.url is None:
        outcome.delivery = "no_endpoint"
        outcome.delivery_reason = (
            f"no url for {report.partner} in {layout.config / config.DELIVERY}"
        )
        delivery_log.append(
            reports, {**entry, "status": "no_endpoint", "reason": outcome.delivery_reason}
        )
        return
    if not force and delivery_log.delivered(reports, report.partner, report.month.key, report_id):
        outcome.delivery = "already_delivered"
        outcome.delivery_reason = "same report id; --force to send again"
        delivery_log.append(
            reports, {**entry, "status": "skipped_already_delivered", "url": endpoint.url}
        )
        return
    secret = config.secret_of(endpoint, report.partner)
    result = push.push(
        endpoint.url,
        secret,
        push.body(manifest, report.files),
        report_id,
        max_attempts=endpoint.max_attempts,
        timeout_s=endpoint.timeout_s,
    )
    outcome.delivery, outcome.delivery_reason = result.status, result.reason
    delivery_log.append(
        reports,
        {
            **entry,
            "status": result.status,
            "url": endpoint.url,
            "attempts": result.attempts,
            "http_status": result.http_status,
            "reason": result.reason,
            "forced": force,
        },
    )
