"""``cpo self-heal run``: the closed loop against a running CSMS's command API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from models.healing.client import CsmsApi
from models.healing.loop import SelfHealer, describe, scores_from
from models.healing.policy import PolicyConfig, Score
from pipelines.warehouse.layout import Layout
from workbench.api_client import resolve_token
from workbench.errors import friendly
from workbench.options import ApiUrl, DataDir, Token

self_heal_app = typer.Typer(
    help="Self-healing: automatic remote resets with guard rails.", no_args_is_help=True
)
Ids = Annotated[list[str] | None, typer.Option(metavar="CHARGER", show_default=False)]


@self_heal_app.command("run")
@friendly
def run(
    data_dir: DataDir = Path("data"),
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
    allow: Ids = None,
    deny: Ids = None,
    predictions: Annotated[
        bool,
        typer.Option("--predictions/--no-predictions", help="Act on the fault model's alerts too."),
    ] = True,
) -> None:
    """Poll the CSMS, act on faulted, silent, flapping and predicted chargers, verify, log."""
    cfg = PolicyConfig(
        dry_run=dry_run,
        cooldown_s=cooldown,
        max_resets_per_hour=max_resets_per_hour,
        escalate_after=escalate_after,
        allow=frozenset(allow) if allow else None,
        deny=frozenset(deny or ()),
        act_on_predictions=predictions,
    )
    scores = scores_from(Layout(data_dir.resolve()).mart_file("predictions"))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the loop quietly
        asyncio.run(_loop(api_url, resolve_token(token, data_dir), cfg, scores, once, interval))


async def _loop(
    api_url: str,
    token: str,
    cfg: PolicyConfig,
    scores: Callable[[], dict[str, Score]],
    once: bool,
    interval: float,
) -> None:
    async with CsmsApi(api_url, token) as api:
        healer = SelfHealer(api, cfg, scores)
        mode = "dry run" if cfg.dry_run else "live"
        typer.echo(f"self-healing ({mode}) on {api_url}, every {interval:g} s")
        while True:
            for d in await healer.tick(time.time()):
                typer.echo(describe(d))
            for o in healer.journal.outcomes:
                typer.echo(f"outcome {o['charge_point_id']}: {o['result']} after {o['action']}")
            healer.journal.outcomes.clear()
            if once:
                return
            await asyncio.sleep(interval)
