"""The KPIs of one self-healing A/B arm: from its warehouse's marts, its lake's ``commands``
table, and the simulator's truth (what only the simulator knows: which faults were on, which a
reset averted, which precursor windows were running)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines.warehouse.layout import Layout

# Self-healing resets, with the trigger the loop wrote into the command's reason.
_RESETS = (
    "SELECT charge_point_id, requested_at, answered_at, "
    "json_extract_string(reason, '$.trigger') AS trigger FROM {commands} "
    "WHERE requested_by = 'self_healing' AND action = 'Reset'"
)
_NO_RESETS = (
    "SELECT NULL::VARCHAR AS charge_point_id, NULL::TIMESTAMPTZ AS requested_at, "
    "NULL::TIMESTAMPTZ AS answered_at, NULL::VARCHAR AS trigger LIMIT 0"
)


def measure(data: Path) -> dict[str, Any]:
    marts = Layout(data).marts
    truth = f"'{data / 'sim' / 'sim_truth.parquet'}'"
    con = duckdb.connect()

    def one(sql: str) -> Any:
        return con.execute(sql).fetchall()[0][0]

    def m(name: str) -> str:
        return f"'{marts / (name + '.parquet')}'"

    commands = f"read_parquet('{data}/lake/commands/*/*.parquet', union_by_name = true)"
    has_commands = any((data / "lake" / "commands").glob("*/*.parquet"))
    con.execute(
        "CREATE TEMP VIEW resets AS "
        + (_RESETS.format(commands=commands) if has_commands else _NO_RESETS)
    )
    # A reset is on a fault if one was on then (or ended < 10 min before); it averted one if
    # the simulator logged an aversion on that charger as the reset landed.
    con.execute(
        "CREATE TEMP VIEW judged AS SELECT r.*, "
        f"EXISTS (SELECT 1 FROM {truth} t WHERE t.kind = 'fault' "
        "AND t.charge_point_id = r.charge_point_id "
        'AND r.answered_at BETWEEN t.start AND t."end" + INTERVAL 10 MINUTE) AS on_fault, '
        f"EXISTS (SELECT 1 FROM {truth} t WHERE t.kind = 'averted' "
        "AND t.charge_point_id = r.charge_point_id "
        'AND t."end" BETWEEN r.requested_at AND r.answered_at + INTERVAL 10 MINUTE) AS averted, '
        f"EXISTS (SELECT 1 FROM {truth} t WHERE t.kind IN ('fault', 'near_miss', 'averted') "
        "AND t.fault_type <> 'transient_trip' AND t.charge_point_id = r.charge_point_id "
        "AND r.requested_at >= t.precursor_start AND r.requested_at < t.start) AS in_window "
        "FROM resets r"
    )
    # Outage time by what the truth says was behind it: what resets can win back is the curable
    # share; the rest needs a technician (or is a trip that clears itself in minutes).
    con.execute(
        "CREATE TEMP VIEW outage_by_cause AS SELECT CASE "
        "WHEN t.fault_type = 'transient_trip' THEN 'trip' "
        "WHEN t.curable THEN 'curable' ELSE 'technician' END AS cause, "
        'sum(greatest(0, epoch(least(o.end_at, t."end")) - epoch(greatest(o.start_at, t.start))))'
        " / 60 AS minutes "
        f"FROM {m('outages')} o JOIN {truth} t ON t.kind = 'fault' "
        "AND t.charge_point_id = o.charge_point_id "
        "AND (t.connector_id IS NULL OR t.connector_id = o.port_no) "
        'AND o.start_at < t."end" AND o.end_at > t.start WHERE NOT o.excluded GROUP BY ALL'
    )

    lost_h = {
        cause: float(minutes) / 60
        for cause, minutes in con.execute("SELECT cause, minutes FROM outage_by_cause").fetchall()
    }
    uptime, period_h = con.execute(
        "SELECT sum(uptime_pct * period_min) / sum(period_min), sum(period_min) / 60 "
        f"FROM {m('port_uptime_rolling')}"
    ).fetchall()[0]
    out = {
        "network uptime (NEVI, %)": uptime,
        "uptime if curable faults cost nothing (truth, %)": (
            uptime + 100.0 * lost_h.get("curable", 0.0) / period_h if period_h else None
        ),
        "outage port-hours in curable long faults (truth)": lost_h.get("curable", 0.0),
        "outage port-hours in technician faults (truth)": lost_h.get("technician", 0.0),
        "outage port-hours in trips (truth)": lost_h.get("trip", 0.0),
        "ports below 97 %": one(
            f"SELECT count(*) FILTER (NOT meets_nevi) FROM {m('port_uptime_rolling')}"
        ),
        "faulted port-hours": one(
            "SELECT coalesce(sum(duration_min) FILTER (cause = 'faulted'), 0) / 60 "
            f"FROM {m('outages')}"
        ),
        "all outage port-hours": one(
            f"SELECT coalesce(sum(duration_min), 0) / 60 FROM {m('outages')}"
        ),
        "failed charge attempts": one(
            f"SELECT coalesce(sum(failures), 0) FROM {m('charge_success_daily')}"
        ),
        "sessions": one(f"SELECT count(*) FROM {m('sessions')}"),
        "self-healing resets": one("SELECT count(*) FROM resets"),
        "resets on a model alert": one("SELECT count(*) FROM resets WHERE trigger = 'predicted'"),
        "sessions interrupted by resets (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'session_interrupted'"
        ),
        # From the truth: the lake's charging_end_at is the next meter sample after the last
        # one with power, so a reset just after an EV stopped drawing would count.
        "resets during energy delivery (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'session_interrupted' "
            "AND detail LIKE '%while Charging'"
        ),
        "false resets (no fault on, truth)": one("SELECT count(*) FROM judged WHERE NOT on_fault"),
        "false resets (no fault on, none averted, truth)": one(
            "SELECT count(*) FROM judged WHERE NOT on_fault AND NOT averted"
        ),
        "model resets inside a precursor window (truth)": one(
            "SELECT count(*) FROM judged WHERE trigger = 'predicted' AND in_window"
        ),
        "long faults (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'fault' AND fault_type <> 'transient_trip'"
        ),
        "curable long faults (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'fault' AND curable "
            "AND fault_type <> 'transient_trip'"
        ),
        "curable long faults, on or averted (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE (kind = 'fault' AND curable "
            "AND fault_type <> 'transient_trip') OR kind = 'averted'"
        ),
        "curable faults averted by a reset before onset (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'averted'"
        ),
        "long faults ended by a reset (truth)": one(
            f"SELECT count(*) FROM {truth} WHERE kind = 'fault' AND ended_by = 'reset' "
            "AND fault_type <> 'transient_trip'"
        ),
    }
    con.close()
    return out
