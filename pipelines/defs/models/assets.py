"""Fault model training (weekly) and scoring (every 15 minutes) as assets."""

import json
from pathlib import Path

import dagster as dg
import polars as pl

from models.errors import NoModelError, NotEnoughDataError
from models.fault.score import PREDICTIONS_SCHEMA, score_latest
from models.fault.train import TrainOptions, train
from pipelines.marts import mart_asset
from pipelines.resources import WarehouseResource
from pipelines.warehouse import sql_files


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
    layout = warehouse.layout()
    note = ""
    try:
        scored = score_latest(layout.data_dir, layout.marts)
    except (NoModelError, NotEnoughDataError) as exc:
        scored, note = pl.DataFrame(schema=PREDICTIONS_SCHEMA), str(exc)
    with warehouse.connect() as conn:
        conn.register("_scored", scored.to_arrow())
        conn.execute("CREATE OR REPLACE TABLE predictions AS SELECT * FROM _scored")
        conn.unregister("_scored")
        sql_files.publish(conn, "predictions", layout.mart_file("predictions"))
    alerts = int(scored["alert"].sum()) if scored.height else 0
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": scored.height,
            "alerts": alerts,
            "model": scored["model_version"][0] if scored.height else "",
            "model_source": scored["model_source"][0] if scored.height else "",  # own|default
            "note": note,
            "top": json.dumps(
                scored.sort("probability", descending=True)
                .head(3)
                .select("charge_point_id", "probability")
                .to_dicts()
            ),
        }
    )


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
