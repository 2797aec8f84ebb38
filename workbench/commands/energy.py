"""`cpo energy ...`: the site energy loop against a running CSMS's command API.

The site model comes from the registry (`cpo sites ...`); the open sessions from the CSMS's
live state. Where no energy request or departure is known (no ACN-style user input reaches the
CSMS yet) each session is assumed to want ``--default-kwh`` within ``--dwell-h`` hours, the
dwell estimate the optimiser plans with; equal share needs neither.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy as np
import typer

from csms_lite.client import AsyncCsmsClient, ClientError
from models.energy.baselines import equal_share
from models.energy.errors import EnergyError
from models.energy.loop import REQUESTER, Allocate, EnergyLoop, Outcome, Port, ports_from_api
from models.energy.optimiser import Horizon, optimise
from models.energy.sessions import OpenSession
from models.energy.site import Site
from workbench.commands.registry_access import open_registry
from workbench.errors import fail
from workbench.options import DEFAULT_DATA_DIR, ApiUrl, DataDir, Token, part_api_token
from workbench.runs.energy_site import energy_site

energy_app = typer.Typer(help="Site energy management: charging profiles under site limits.",
                         no_args_is_help=True)
ALGORITHMS = ("equal_share", "optimiser")


def _sessions(site: Site, ports: Mapping[str, Port], kwh: float, dwell_h: float,
              ) -> list[OpenSession]:
    return [OpenSession(p.transaction_id or cid, cid, kwh, site.chargers[cid].max_kw, dwell_h)
            for cid, p in ports.items() if cid in site.chargers and p.transaction_id]


def _allocator(name: str, price: float) -> Allocate:
    if name == "equal_share":
        return equal_share

    def optimiser(site: Site, sessions: Sequence[OpenSession]) -> dict[str, float]:
        periods = int(max(s.departure_h or 1.0 for s in sessions) / 0.25) + 1
        return optimise(site, sessions, Horizon(0.25, np.full(periods, price))).rates_kw
    return optimiser


@energy_app.command("decide")
def decide(
    site: Annotated[str, typer.Argument(metavar="SITE", help="The site's id (cpo sites).")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    api_url: ApiUrl = "http://127.0.0.1:9001",
    token: Token = None,
    algorithm: Annotated[str, typer.Option(help="equal_share or optimiser.")] = "equal_share",
    fallbacks: Annotated[bool, typer.Option(
        "--fallbacks/--no-fallbacks", help="Install the conservative default profiles first.")
    ] = True,
    lease: Annotated[float, typer.Option(min=30.0, help="Seconds an allocation stays valid "
                                         "without renewal.")] = 600.0,
    default_kwh: Annotated[float, typer.Option(min=0.1, help="Energy a session wants when "
                                               "unknown.")] = 20.0,
    dwell_h: Annotated[float, typer.Option(min=0.25, help="Hours a session stays when "
                                           "unknown.")] = 4.0,
    price: Annotated[float, typer.Option(min=0.0, help="$/kWh the optimiser plans with (flat: "
                                         "the registry keeps no tariff per site yet).")] = 0.2,
) -> None:
    """One decision: allocate the site's power to its open sessions, install the profiles,
    verify them, and print each charger's outcome."""
    if algorithm not in ALGORITHMS:
        raise fail(f"--algorithm: one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    with open_registry(data_dir) as registry:
        try:
            model = energy_site(registry, site)
        except EnergyError as exc:
            raise fail(str(exc)) from None
    secret = part_api_token(token, data_dir, REQUESTER)
    try:
        outcomes = asyncio.run(_decide(api_url, secret, model, _allocator(algorithm, price),
                                       fallbacks, lease, default_kwh, dwell_h))
    except (ClientError, EnergyError) as exc:
        raise fail(str(exc)) from None
    for o in outcomes:
        typer.echo(f"{o.charger_id:<20} {o.kind:<10} {o.allocated_w / 1000:7.2f} kW  "
                   f"{o.status:<12} {'verified' if o.verified else '-'}")


async def _decide(api_url: str, token: str, site: Site, allocate: Allocate, fallbacks: bool,
                  lease: float, kwh: float, dwell_h: float) -> list[Outcome]:
    async with AsyncCsmsClient(api_url, token, timeout_s=30) as api:
        ports = ports_from_api(await api.chargers())
        loop = EnergyLoop(api, site, allocate, lease, time.time)
        out = await loop.install_fallbacks(ports) if fallbacks else []
        return out + await loop.decide(_sessions(site, ports, kwh, dwell_h), ports)
