"""Self-healing as a Dagster job: one pass of the loop against the CSMS API, its memory kept in
``<data>/self_healing/state.json``; a sensor asks for a pass every five minutes when
``CPO_API_URL`` (and ``CPO_API_TOKEN``, else ``<data>/api_token``) name a running CSMS."""

import asyncio
import os
import time
from pathlib import Path

import dagster as dg

from ingest.data_folder import DataFolder
from models.healing import state_file
from models.healing.loop import SelfHealer, connect, describe, scores_from
from models.healing.policy import PolicyConfig
from models.tickets.store import TicketStore
from pipelines import field_service
from pipelines.errors import PipelineError
from pipelines.resources import WarehouseResource


class SelfHealingConfig(dg.Config):
    dry_run: bool = False
    max_resets_per_hour: int = 10
    cooldown_s: float = 3600.0
    fault_grace_s: float = 600.0


def _api_url() -> str | None:
    return os.environ.get("CPO_API_URL") or None


def _token(data_dir: Path) -> str:
    """CPO_API_TOKEN (``cpo up`` passes self-healing's), else self-healing's token file (its
    commands must be recorded under its name, ``requested_by = 'self_healing'``), else the
    CSMS's bootstrap token."""
    folder = DataFolder(data_dir)
    files = [f for f in (folder.part_token_file("self_healing"), folder.api_token_file)
             if f.exists()]
    fallback = files[0].read_text().strip() if files else ""
    return os.environ.get("CPO_API_TOKEN") or fallback


@dg.op
def self_heal_pass(
    context: dg.OpExecutionContext, config: SelfHealingConfig, warehouse: WarehouseResource
) -> None:
    url = _api_url()
    if url is None:
        raise dg.Failure(description="set CPO_API_URL (and CPO_API_TOKEN) to a running CSMS API")
    layout = warehouse.layout()
    token = _token(layout.data_dir)
    cfg = PolicyConfig(
        dry_run=config.dry_run,
        max_resets_per_hour=config.max_resets_per_hour,
        cooldown_s=config.cooldown_s,
        fault_grace_s=config.fault_grace_s,
    )
    state = layout.self_healing_state
    tickets = TicketStore(layout.tickets_file)

    async def once() -> list[str]:
        async with connect(url, token) as client:
            healer = SelfHealer(client, cfg, scores_from(layout.mart_file("predictions")),
                                tickets)
            state_file.load(healer, state)
            decisions = await healer.tick(time.time())
            state_file.save(healer, state)
            return ([describe(d) for d in decisions] + [str(o) for o in healer.journal.outcomes]
                    + [str(t) for t in healer.journal.tickets])

    for line in asyncio.run(once()):
        context.log.info(line)
    try:  # this pass's tickets, and any a past pass could not deliver
        sent = field_service.deliver_pending(layout, tickets)
    except PipelineError as exc:  # a bad field_service.json: the tickets wait in the store
        context.log.warning(f"tickets not delivered: {exc}")
        sent = []
    for d in sent:
        context.log.info(f"ticket {d.ticket_id} {d.channel} {d.status}: {d.reason}")


@dg.job(description="One self-healing pass: decide, act through the CSMS API, verify.")
def self_heal() -> None:
    self_heal_pass()


@dg.sensor(job=self_heal, minimum_interval_seconds=300)
def self_heal_every_5_minutes() -> dg.RunRequest | dg.SkipReason:
    if _api_url() is None:
        return dg.SkipReason("CPO_API_URL is not set: no CSMS to heal")
    return dg.RunRequest()
