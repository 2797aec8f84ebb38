"""The ``cpo`` command: a thin composition root over the packages (see DESIGN.md)."""

from __future__ import annotations

import typer

from workbench import command_cmd, csms_cmd, dashboard_cmd, demo_cmd, replay_cmd, simulate_cmd
from workbench.evchart_cmd import export_app
from workbench.exclusions_cmd import exclusions_app
from workbench.models_cmd import models_app
from workbench.pipelines_cmd import pipelines_app
from workbench.registry_cli import chargers_app, tags_app
from workbench.reports_cmd import reports_app
from workbench.self_heal_cmd import self_heal_app

app = typer.Typer(
    name="cpo",
    help="Operations workbench for EV Charge Point Operators.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("csms")(csms_cmd.csms)
app.command("command")(command_cmd.command)
app.command("status")(command_cmd.status)
app.command("demo")(demo_cmd.demo)
app.command("dashboard")(dashboard_cmd.dashboard)
app.command("replay")(replay_cmd.replay)
app.command("simulate")(simulate_cmd.simulate)
app.add_typer(chargers_app, name="chargers", help="Registered charge points.")
app.add_typer(pipelines_app, name="pipelines")
app.add_typer(exclusions_app, name="exclusions", help="Exclusion windows left out of NEVI uptime.")
app.add_typer(models_app, name="models")
app.add_typer(self_heal_app, name="self-heal")
app.add_typer(reports_app, name="reports", help="Partner usage reports: OCPI CDRs, CSV, PDF.")
app.add_typer(export_app, name="export", help="Reports for regulators (EV-ChART).")
app.add_typer(tags_app, name="tags", help="Id tags (RFID cards, app tokens) and their partners.")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
