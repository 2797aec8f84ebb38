"""The ``cpo`` command: a thin composition root over the packages (see DESIGN.md)."""

from __future__ import annotations

import typer

from workbench.commands import command, csms, dashboard, demo, replay, simulate, up
from workbench.commands.ca import ca_app
from workbench.commands.chargers import chargers_app
from workbench.commands.energy import energy_app
from workbench.commands.exclusions import exclusions_app
from workbench.commands.export import export_app
from workbench.commands.models import models_app
from workbench.commands.pipelines import pipelines_app
from workbench.commands.reports import reports_app
from workbench.commands.self_heal import self_heal_app
from workbench.commands.sites import sites_app
from workbench.commands.tags import tags_app
from workbench.commands.tickets import tickets_app
from workbench.commands.tokens import tokens_app
from workbench.commands.users import users_app

app = typer.Typer(
    name="cpo",
    help="Operations workbench for EV Charge Point Operators.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("up")(up.up)
app.command("csms")(csms.csms)
app.command("command")(command.command)
app.command("status")(command.status)
app.command("demo")(demo.demo)
app.command("dashboard")(dashboard.dashboard)
app.command("replay")(replay.replay)
app.command("simulate")(simulate.simulate)
app.add_typer(chargers_app, name="chargers", help="Registered charge points.")
app.add_typer(pipelines_app, name="pipelines")
app.add_typer(exclusions_app, name="exclusions", help="Exclusion windows left out of NEVI uptime.")
app.add_typer(models_app, name="models")
app.add_typer(self_heal_app, name="self-heal")
app.add_typer(reports_app, name="reports", help="Partner usage reports: OCPI CDRs, CSV, PDF.")
app.add_typer(export_app, name="export", help="Reports for regulators (EV-ChART).")
app.add_typer(tickets_app, name="tickets", help="Maintenance tickets for field service.")
app.add_typer(tags_app, name="tags", help="Id tags (RFID cards, app tokens) and their partners.")
app.add_typer(energy_app, name="energy", help="Site energy management (charging profiles).")
app.add_typer(sites_app, name="sites", help="Sites' grid limits and circuit trees (energy).")
app.add_typer(tokens_app, name="tokens", help="API bearer tokens and their scopes.")
app.add_typer(users_app, name="users", help="Dashboard users and roles (viewer, operator, admin).")
app.add_typer(ca_app, name="ca", help="The CSMS's certificate authority (security profile 3).")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
