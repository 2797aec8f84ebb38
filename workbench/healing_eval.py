"""Prove self-healing: the same simulated network and seed, run with the loop off and on, then
the same pipelines, then the same KPIs side by side (plus what only the simulator knows)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.sim.context import SimSettings
from ingest.sim.profile import load_default
from models.healing.policy import PolicyConfig
from pipelines.runner import run as run_pipelines
from pipelines.warehouse.layout import Layout
from workbench.healing_sim import SimulatedHealing
from workbench.replay_run import run_async
from workbench.simulate_run import Say, SimulateJob, simulate


@dataclass(frozen=True)
class EvalOptions:
    work: Path
    sites: int = 6
    chargers: int = 40
    days: float = 30.0
    seed: int = 11
    fault_scale: float = 5.0


def run_arm(opts: EvalOptions, healing: bool, say: Say) -> dict[str, Any]:
    data = opts.work / ("healing_on" if healing else "healing_off")
    shutil.rmtree(data, ignore_errors=True)
    settings = SimSettings(
        data_dir=data,
        sites=opts.sites,
        chargers=opts.chargers,
        days=opts.days,
        seed=opts.seed,
        fault_scale=opts.fault_scale,
    )
    hook = SimulatedHealing(PolicyConfig(act_on_predictions=False)) if healing else None
    job = SimulateJob(settings, load_default(), node_id="eval", api=True, during=hook)

    async def arm() -> None:
        try:
            await simulate(job, say)
        finally:
            if hook is not None:
                await hook.close()

    run_async(arm())
    summary = run_pipelines(data, progress=lambda _: None)
    if not summary.ok:
        raise RuntimeError(f"pipelines failed on {data}: {summary}")
    return measure(data)


def measure(data: Path) -> dict[str, Any]:
    marts = Layout(data).marts
    truth = data / "sim" / "sim_truth.parquet"
    con = duckdb.connect()

    def one(sql: str) -> Any:
        return con.execute(sql).fetchall()[0][0]

    def m(name: str) -> str:
        return f"'{marts / (name + '.parquet')}'"

    commands = f"read_parquet('{data}/lake/commands/*/*.parquet', union_by_name = true)"
    has_commands = any((data / "lake" / "commands").glob("*/*.parquet"))
    resets = (
        (
            "SELECT charge_point_id, answered_at FROM "
            + commands
            + " WHERE requested_by = 'self_healing' AND action = 'Reset'"
        )
        if has_commands
        else ("SELECT NULL::VARCHAR AS charge_point_id, NULL::TIMESTAMPTZ AS answered_at LIMIT 0")
    )
    return {
        "network uptime (NEVI, %)": one(
            f"SELECT sum(uptime_pct * period_min) / sum(period_min) FROM {m('port_uptime_rolling')}"
        ),
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
        "self-healing resets": one(f"SELECT count(*) FROM ({resets})"),
        "sessions interrupted by resets (truth)": one(
            f"SELECT count(*) FROM '{truth}' WHERE kind = 'session_interrupted'"
        ),
        "resets during energy delivery": one(
            f"SELECT count(*) FROM {m('sessions')} s JOIN ({resets}) r USING (charge_point_id) "
            "WHERE r.answered_at BETWEEN s.start_at AND s.end_at "
            "AND s.charging_end_at >= r.answered_at"
        ),
        "false resets (no fault on, truth)": one(
            f"SELECT count(*) FROM ({resets}) r WHERE NOT EXISTS (SELECT 1 FROM '{truth}' t "
            "WHERE t.kind = 'fault' AND t.charge_point_id = r.charge_point_id "
            'AND r.answered_at BETWEEN t.start AND t."end" + INTERVAL 10 MINUTE)'
        ),
        "curable long faults (truth)": one(
            f"SELECT count(*) FROM '{truth}' WHERE kind = 'fault' AND curable "
            "AND fault_type <> 'transient_trip'"
        ),
        "long faults (truth)": one(
            f"SELECT count(*) FROM '{truth}' "
            "WHERE kind = 'fault' AND fault_type <> 'transient_trip'"
        ),
        "curable faults averted by a reset before onset (truth)": one(
            f"SELECT count(*) FROM '{truth}' WHERE kind = 'averted'"
        ),
        "long faults ended by a reset (truth)": one(
            f"SELECT count(*) FROM '{truth}' WHERE kind = 'fault' AND ended_by = 'reset' "
            "AND fault_type <> 'transient_trip'"
        ),
    }
