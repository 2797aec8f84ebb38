"""``cpo self-heal run``: the closed loop against a running CSMS's command API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from csms_lite.api.token import SELF_HEALING
from ingest.data_folder import DataFolder
from models.healing import state_file
from models.healing.loop import SelfHealer, connect, describe, scores_from
from models.healing.policy import PolicyConfig, Score
from models.tickets.field_reports import apply_reports
from models.tickets.store import TicketStore
from pipelines import field_service
from pipelines.errors import PipelineError
from pipelines.warehouse.layout import Layout
from workbench.errors import friendly
from workbench.options import DEFAULT_DATA_DIR, ApiUrl, DataDir, Token, part_api_token

self_heal_app = typer.Typer(
    help="Self-healing: automatic remote resets with guard rails.", no_args_is_help=True
)
Ids = Annotated[list[str] | None, typer.Option(metavar="CHARGER", show_default=False)]


@self_heal_app.command("run")
@friendly
def run(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    api_url: ApiUrl = "http://127.0.0.1:9001",
    token: Token = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide and log, send nothing.")
    ] = False,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(min=5.0, help="Seconds between passes.")] = 60.0,
    cooldown: Annotated[
        float, typer.Option(min=0.0, help="Seconds between actions on one charger.")
    ] = 3600.0,
    max_resets_per_hour: Annotated[int, typer.Option(min=0, help="Network-wide cap.")] = 10,
    escalate_after: Annotated[
        int, typer.Option(min=1, help="Unhelpful resets before Inoperative.")
    ] = 2,
    fault_grace: Annotated[
        float, typer.Option(min=0.0, help="Seconds a fault must last before a reset "
                            "(self-clearing trips last minutes).")
    ] = 600.0,
    verify_after: Annotated[
        float, typer.Option(min=1.0, help="Seconds after an action before checking it cured "
                            "the charger.")
    ] = 1800.0,
    allow: Ids = None,
    deny: Ids = None,
    predictions: Annotated[
        bool,
        typer.Option("--predictions/--no-predictions", help="Act on the fault model's alerts too."),
    ] = True,
    state: Annotated[
        Path | None,
        typer.Option(help="The loop's memory (cooldowns, escalations, actions to verify), "
                     "saved after every pass and read at start. Default: "
                     "<data-dir>/self_healing/state.json."),
    ] = None,
) -> None:
    """Poll the CSMS, act on faulted, silent, flapping and predicted chargers, verify, log."""
    cfg = PolicyConfig(
        dry_run=dry_run,
        cooldown_s=cooldown,
        max_resets_per_hour=max_resets_per_hour,
        escalate_after=escalate_after,
        fault_grace_s=fault_grace,
        verify_after_s=verify_after,
        allow=frozenset(allow) if allow else None,
        deny=frozenset(deny or ()),
        act_on_predictions=predictions,
    )
    scores = scores_from(Layout(data_dir.resolve()).mart_file("predictions"))
    folder = DataFolder(data_dir.resolve())
    memory = state or folder.self_healing_state
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the loop quietly
        asyncio.run(
            _loop(api_url, part_api_token(token, data_dir, SELF_HEALING), cfg, scores, once,
                  interval, memory, folder)
        )


async def _loop(
    api_url: str,
    token: str,
    cfg: PolicyConfig,
    scores: Callable[[], dict[str, Score]],
    once: bool,
    interval: float,
    memory: Path,
    folder: DataFolder,
) -> None:
    tickets = TicketStore(folder.tickets_file)
    async with connect(api_url, token) as api:
        healer = SelfHealer(api, cfg, scores, tickets)
        state_file.load(healer, memory)  # a restart resumes cooldowns and escalations
        mode = "dry run" if cfg.dry_run else "live"
        typer.echo(f"self-healing ({mode}) on {api_url}, every {interval:g} s, memory {memory}")
        while True:
            apply_reports(tickets, folder.field_reports)  # what field service did meanwhile
            decisions = await healer.tick(time.time())
            state_file.save(healer, memory)
            for d in decisions:
                typer.echo(describe(d))
            for o in healer.journal.outcomes:
                typer.echo(f"outcome {o['charge_point_id']}: {o['result']} after {o['action']}")
            healer.journal.outcomes.clear()
            for t in healer.journal.tickets:
                typer.echo(f"ticket {t.get('ticket_id')} {t['charge_point_id']}: {t['cause']}")
            healer.journal.tickets.clear()
            _deliver(folder, tickets)
            if once:
                return
            await asyncio.sleep(interval)


def _deliver(folder: DataFolder, tickets: TicketStore) -> None:
    """Hand new tickets to field service; a bad field_service.json must not stop the loop (the
    tickets wait in the store, and the next pass tries again)."""
    try:
        sent = field_service.deliver_pending(folder, tickets)
    except PipelineError as exc:
        typer.secho(f"tickets not delivered: {exc}", err=True, fg=typer.colors.YELLOW)
        return
    for d in sent:
        typer.echo(f"delivered {d.ticket_id}: {d.channel} {d.status} ({d.reason})")
