"""``cpo models train|evaluate|score``: the fault model on a data folder's warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.fault.report import card_lines
from pipelines.warehouse.layout import Layout
from workbench.commands.models_default import build_default
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

models_app = typer.Typer(help="Fault prediction models.", no_args_is_help=True)
Horizon = Annotated[int, typer.Option(help="Label horizon H in hours: 6, 24 or 48.")]
Budget = Annotated[float, typer.Option(help="Alerts a day per 100 chargers the team can handle.")]
models_app.command("build-default")(build_default)


def _marts(data_dir: Path) -> Path:
    return Layout(data_dir.resolve()).marts


@models_app.command("train")
@friendly
def train(
    data_dir: DataDir = DEFAULT_DATA_DIR, horizon: Horizon = 24, budget: Budget = 2.0
) -> None:
    """Train on the warehouse's failure features (time split), save a versioned model + card."""
    from models.fault.train import TrainOptions
    from models.fault.train import train as train_model

    if horizon not in (6, 24, 48):
        raise fail(f"--horizon {horizon}: the warehouse labels 6, 24 and 48 hours")
    trained = train_model(
        data_dir.resolve(),
        _marts(data_dir),
        TrainOptions(horizon_h=horizon, budget_per_100_chargers=budget),
    )
    for line in card_lines(trained.card):
        typer.echo(line)
    typer.echo(f"saved {trained.folder} (model_card.json, model_card.html)")


@models_app.command("evaluate")
@friendly
def evaluate(data_dir: DataDir = DEFAULT_DATA_DIR, budget: Budget = 2.0) -> None:
    """Evaluate the latest model against the rule baseline on the warehouse's latest weeks."""
    from models.fault.train import evaluate_latest

    card = evaluate_latest(data_dir.resolve(), _marts(data_dir), budget)
    for line in card_lines(card):
        typer.echo(line)


@models_app.command("score")
@friendly
def score(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    top: Annotated[int, typer.Option(help="Chargers to list, highest first.")] = 10,
) -> None:
    """Score every charger's latest hour; writes warehouse/marts/predictions.parquet."""
    from models.fault.score import score_latest
    from pipelines.warehouse.sql_files import publish_frame

    layout = Layout(data_dir.resolve())
    scored = score_latest(layout.data_dir, layout.marts)
    publish_frame(scored.to_arrow(), layout.mart_file("predictions"))
    for row in scored.sort("probability", descending=True).head(top).iter_rows(named=True):
        flag = "ALERT" if row["alert"] else "     "
        typer.echo(
            f"{flag} {row['charge_point_id']:16} {row['probability']:6.1%}  {row['top_features']}"
        )
    typer.echo(
        f"{scored.height} chargers scored, {int(scored['alert'].sum())} alerts; "
        f"{layout.mart_file('predictions')}"
    )
    if scored.height:
        typer.echo(f"model {scored['model_version'][0]} ({_SOURCES[scored['model_source'][0]]})")


_SOURCES = {
    "own": "own: trained on this data folder",
    "default": "default: shipped, trained on a simulated network, until `cpo models train` "
    "has enough fault onsets here",
}
