"""``cpo reports partners``: monthly partner reports (OCPI CDR JSON, CSV, PDF) into the outbox,
optionally pushed to each partner's HTTPS endpoint. Runs through Dagster (the data folder's
DAGSTER_HOME), so each report is a recorded materialisation of ``partner_reports``."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

reports_app = typer.Typer(
    help="Partner reports: eMSP CDRs and summaries, site host reports.", no_args_is_help=True
)


@reports_app.command("partners")
@friendly
def partners(
    month: Annotated[
        str, typer.Option(metavar="YYYY-MM", help="Report month (sessions that ended in it, UTC).")
    ],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    partner: Annotated[
        str | None,
        typer.Option(help="One eMSP or site host id (default: every partner and host)."),
    ] = None,
    push: Annotated[
        bool, typer.Option("--push", help="Also POST each report to config/partner_delivery.json.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Rewrite and re-deliver even if this report was delivered."),
    ] = False,
) -> None:
    """Write each partner's report for --month to DATA/reports/outbox/<partner>/<month>/.

    A report whose totals do not reconcile with the warehouse is not written nor delivered
    (the reason goes to DATA/reports/delivery_log.jsonl) and the command exits 2.
    """
    from pipelines.launch.partner_reports import run

    started = time.monotonic()
    runs = run(data_dir, month, partner, push=push, force=force, progress=typer.echo)
    failed = [r.partner for r in runs if not r.ok]
    typer.echo(f"{len(runs)} report(s) for {month} in {time.monotonic() - started:.1f} s")
    if failed:
        raise fail(
            f"{len(failed)} report(s) not delivered: {', '.join(failed)} "
            f"(see {data_dir / 'reports' / 'delivery_log.jsonl'})"
        )
