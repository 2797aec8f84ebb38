"""Checks on the usage marts: utilisation is a share, and successes never exceed attempts."""

# No "from __future__ import annotations": Dagster reads annotations at runtime.
from pipelines.marts import sql_check

usage_checks = [
    sql_check(
        "utilisation_port_daily",
        "time_util_in_unit_interval",
        "SELECT * FROM utilisation_port_daily WHERE time_util < 0 OR time_util > 1 "
        "OR session_min > available_min + 1e-6 OR available_min > period_min + 1e-6",
        "Time-based utilisation is in [0, 1]: session minutes <= available <= calendar minutes.",
    ),
    sql_check(
        "utilisation_site_daily",
        "site_time_util_in_unit_interval",
        "SELECT * FROM utilisation_site_daily WHERE time_util < 0 OR time_util > 1",
        "Site time-based utilisation is in [0, 1].",
    ),
    sql_check(
        "charge_success_daily",
        "attempts_at_least_successes",
        "SELECT * FROM charge_success_daily WHERE successes > attempts "
        "OR successes + failures <> attempts",
        "Every row has attempts >= successes (attempts = successes + failures).",
    ),
    sql_check(
        "charge_attempts",
        "attempt_ids_unique",
        "SELECT attempt_id, count(*) FROM charge_attempts GROUP BY 1 HAVING count(*) > 1",
        "One row per attempt.",
    ),
]
