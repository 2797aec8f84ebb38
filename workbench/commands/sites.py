"""`cpo sites ...`: a site's electrical model for energy management (grid connection limit,
circuit tree, the circuit of each charger), kept in the registry file like `cpo chargers`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from models.energy.errors import EnergyError
from workbench.commands.record_table import AsJson, print_records
from workbench.commands.registry_access import open_registry
from workbench.errors import fail
from workbench.options import DEFAULT_DATA_DIR, DataDir
from workbench.runs.energy_site import energy_site

sites_app = typer.Typer(
    help="Sites' grid limits, circuit trees and chargers' circuits (energy management).",
    no_args_is_help=True,
)
SiteArg = Annotated[str, typer.Argument(metavar="SITE", help="The site's id.")]
Kw = Annotated[float, typer.Argument(metavar="KW", help="Limit in kW (>= 0).")]


@sites_app.command("set-limit")
def set_limit(site: SiteArg, kw: Kw, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Set the site's grid connection limit (kW)."""
    with open_registry(data_dir, must_exist=False) as registry:
        registry.site_models.set_grid_limit(site, kw)
    typer.echo(f"site {site}: grid limit {kw:g} kW")


@sites_app.command("add-circuit")
def add_circuit(
    site: SiteArg,
    circuit: Annotated[str, typer.Argument(metavar="CIRCUIT", help="The circuit's id.")],
    kw: Kw,
    parent: Annotated[str | None, typer.Option(
        help="The circuit it hangs off (default: the site's grid connection).")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add a circuit (feeder) with its limit, or change an existing circuit's limit."""
    with open_registry(data_dir, must_exist=False) as registry:
        registry.site_models.add_circuit(site, circuit, kw, parent)
    typer.echo(f"site {site}: circuit {circuit} ({kw:g} kW) on {parent or site}")


@sites_app.command("assign")
def assign(
    site: SiteArg,
    charger: Annotated[str, typer.Argument(metavar="CHARGER", help="The charge point's id.")],
    circuit: Annotated[str | None, typer.Option(
        help="Its circuit (default: directly on the site's grid connection).")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Put a charger on one of the site's circuits."""
    with open_registry(data_dir, must_exist=False) as registry:
        registry.site_models.assign_charger(charger, site, circuit)
    typer.echo(f"site {site}: charger {charger} on {circuit or site}")


@sites_app.command("show")
def show(site: SiteArg, as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Print the site's circuits and chargers, each with its limit and the circuit above it,
    after checking the whole model is a tree the allocator can use."""
    with open_registry(data_dir) as registry:
        try:
            model = energy_site(registry, site)
        except EnergyError as exc:
            raise fail(str(exc)) from None
    rows: list[dict[str, Any]] = [
        {"kind": "grid" if c.parent is None else "circuit", "id": c.id, "on": c.parent,
         "limit_kw": c.limit_kw} for c in model.circuits.values()
    ] + [{"kind": "charger", "id": ch.id, "on": ch.circuit, "limit_kw": ch.max_kw}
         for ch in model.chargers.values()]
    print_records(rows, ("kind", "id", "on", "limit_kw"), as_json)
