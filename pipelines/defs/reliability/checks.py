"""Asset checks of the reliability marts: each passes when its SELECT finds no offending row."""

# No "from __future__ import annotations": this module defines Dagster checks.
from pipelines.marts import sql_check


def overlaps_sql(table: str, key: str) -> str:
    return (
        f"SELECT {key}, from_at, to_at, next_from FROM ("
        f"SELECT {key}, from_at, to_at, lead(from_at) OVER (PARTITION BY {key} "
        f"ORDER BY from_at, to_at) AS next_from FROM {table}) WHERE next_from < to_at"
    )


def ends_after_start_sql(table: str) -> str:
    return f"SELECT * FROM {table} WHERE to_at < from_at OR from_at IS NULL OR to_at IS NULL"


_UPTIME_RANGE = "SELECT * FROM {t} WHERE uptime_pct IS NULL OR uptime_pct < 0 OR uptime_pct > 100"
_OUTAGE_WITHIN = (
    "SELECT * FROM {t} WHERE outage_min > {period} + 1e-6 OR excluded_min > outage_min + 1e-6"
)

reliability_checks = [
    *[
        sql_check(t, "intervals_end_after_start", ends_after_start_sql(t), "to_at >= from_at.")
        for t in (
            "connector_status_intervals",
            "charger_connectivity_intervals",
            "port_state_intervals",
            "excluded_down_intervals",
        )
    ],
    sql_check(
        "connector_status_intervals",
        "no_overlap_per_port",
        overlaps_sql("connector_status_intervals", "port_id"),
        "A port's status intervals do not overlap.",
    ),
    sql_check(
        "charger_connectivity_intervals",
        "no_overlap_per_charger",
        overlaps_sql("charger_connectivity_intervals", "charge_point_id"),
        "A charger's online/offline intervals do not overlap.",
    ),
    sql_check(
        "port_state_intervals",
        "no_overlap_per_port",
        overlaps_sql("port_state_intervals", "port_id"),
        "A port's UP/DOWN intervals do not overlap.",
    ),
    sql_check(
        "outages",
        "outage_end_after_start",
        "SELECT * FROM outages WHERE end_at < start_at OR excluded_min > duration_min + 1e-6",
        "end_at >= start_at and excluded minutes <= outage minutes.",
    ),
    *[
        sql_check(t, "uptime_in_0_100", _UPTIME_RANGE.format(t=t), "uptime_pct in [0, 100].")
        for t in (
            "port_uptime_monthly",
            "port_uptime_rolling",
            "site_uptime_monthly",
            "network_uptime_monthly",
        )
    ],
    *[
        sql_check(
            t,
            "outage_within_period",
            _OUTAGE_WITHIN.format(t=t, period=period),
            "Outage minutes <= period minutes; excluded minutes <= outage minutes.",
        )
        for t, period in (
            ("port_uptime_monthly", "period_min"),
            ("port_uptime_rolling", "period_min"),
            ("site_uptime_monthly", "port_min"),
            ("network_uptime_monthly", "port_min"),
        )
    ],
]
