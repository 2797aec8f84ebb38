"""Checks on the failure marts: one feature row per charger-hour, final labels where due."""

# No "from __future__ import annotations": Dagster reads annotations at runtime.
from pipelines.marts import sql_check

failure_checks = [
    sql_check(
        "failure_features",
        "one_row_per_charger_hour",
        "SELECT charge_point_id, hour, count(*) AS n FROM failure_features "
        "GROUP BY ALL HAVING count(*) > 1",
        "No duplicate (charge_point_id, hour) in the features.",
    ),
    sql_check(
        "failure_labels",
        "old_labels_final",
        "SELECT * FROM failure_labels "
        "WHERE feature_at + to_hours(horizon_h) <= getvariable('as_of') "
        "AND (fault_within_h IS NULL OR NOT label_final)",
        "Labels whose horizon ended by as_of are final (known true or false).",
    ),
    sql_check(
        "faults",
        "faults_last_minimum",
        "SELECT * FROM faults WHERE duration_min < getvariable('fault_min_minutes') "
        "OR end_at < start_at",
        "Every fault episode lasts at least fault_min_minutes.",
    ),
]
