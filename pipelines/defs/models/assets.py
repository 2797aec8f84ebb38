"""Fault model training (weekly) and scoring (every 15 minutes) as assets."""

from pathlib import Path

import dagster as dg

from models.errors import NotEnoughDataError
from models.fault.train import TrainOptions, train
from pipelines import scoring
from pipelines.marts import mart_asset
from pipelines.resources import WarehouseResource


@dg.asset(
    deps=["failure_features", "failure_labels", "faults"],
    group_name="models",
    kinds={"scikitlearn"},
    description="Fault model: gradient boosting or logistic regression (chosen on validation "
    "PR-AUC against a rule baseline), calibrated, trained on a time split of failure_features "
    "and failure_labels; versioned with its model card in <data>/models/fault/.",
)
def fault_model(warehouse: WarehouseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
    layout = warehouse.layout()
    options = TrainOptions(horizon_h=warehouse.label_horizon_hours)
    try:
        trained = train(layout.data_dir, layout.marts, options)
    except NotEnoughDataError as exc:
        raise dg.Failure(description=str(exc)) from exc
    test = trained.card["test"]
    return dg.MaterializeResult(
        metadata={
            "version": trained.folder.name,
            "model": trained.card["model"],
            "pr_auc": test["model"]["pr_auc"],
            "rule_baseline_pr_auc": test["rule_baseline"]["pr_auc"],
            "recall_at_budget": test["model"]["at_budget"]["recall"],
            "median_lead_h": test["model"]["at_budget"]["median_lead_h"] or 0.0,
            "card": dg.MetadataValue.path(str(trained.folder / "model_card.html")),
        }
    )


@dg.asset(
    deps=["failure_features"],
    group_name="models",
    kinds={"scikitlearn", "duckdb"},
    description="predictions: each charger's latest hour scored by the current fault model "
    "(probability of a fault within H hours, alert at the model's budget threshold, top 3 "
    "contributing features). Empty, with a note, until a model is trained.",
)
def predictions(warehouse: WarehouseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
    with warehouse.connect() as conn:
        scored = scoring.write_predictions(conn, warehouse.layout())
    return dg.MaterializeResult(metadata=scored.metadata())


train_job = dg.define_asset_job("train_fault_model", selection=["fault_model"])
score_job = dg.define_asset_job("score_faults", selection=["predictions"])
weekly_training = dg.ScheduleDefinition(
    job=train_job, cron_schedule="0 3 * * 1", execution_timezone="UTC"
)
quarter_hourly_scoring = dg.ScheduleDefinition(
    job=score_job, cron_schedule="*/15 * * * *", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,  # the daemon scores without being asked
)

self_healing_actions = mart_asset("self_healing_actions", Path(__file__).parent, "models")
