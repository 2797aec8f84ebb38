"""The self-healing loop's figures, read back from the marts (``predictions``,
``self_healing_actions``) and, for a simulation, from the truth (faults averted)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.data_folder import DataFolder
from pipelines.warehouse.layout import Layout


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def loop_lines(data_dir: Path) -> list[str]:
    marts = Layout(data_dir).marts
    con = duckdb.connect()
    lines: list[str] = []
    predictions = marts / "predictions.parquet"
    if predictions.exists():
        scored, alerts = con.execute(
            f"SELECT count(*), count(*) FILTER (alert) FROM {_quoted(predictions)}"
        ).fetchall()[0]
        lines.append(f"fault model: {scored} chargers scored on their last complete hour, "
                     f"{alerts} alerting")
    actions = marts / "self_healing_actions.parquet"
    if actions.exists():
        rows = con.execute(
            f"SELECT action, coalesce(trigger, '?'), coalesce(result, 'not verified yet'), "
            f"count(*) FROM {_quoted(actions)} GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        total = sum(n for *_, n in rows)
        lines.append(f"self-healing: {total} actions" + ("" if rows else " (nothing to heal)"))
        lines += [f"  {action} on {trigger}: {result} x{n}" for action, trigger, result, n in rows]
    truth = DataFolder(data_dir).sim_truth_file
    if truth.exists():
        averted, cured = con.execute(
            f"SELECT count(*) FILTER (kind = 'averted'), "
            f"count(*) FILTER (kind = 'fault' AND ended_by = 'reset') FROM {_quoted(truth)}"
        ).fetchall()[0]
        lines.append(f"truth (simulator only): {averted} faults averted before onset, "
                     f"{cured} ended by a reset")
    return lines
