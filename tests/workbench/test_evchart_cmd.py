"""`cpo export evchart` (the sub-app, until the lead wires it into `cpo`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.pipelines.reliability.test_evchart import publish
from workbench.commands.export import export_app

runner = CliRunner()


def test_writes_the_three_modules(tmp_path: Path) -> None:
    publish(tmp_path)
    out = tmp_path / "out"
    args = ["evchart", "--data-dir", str(tmp_path), "--from", "2026-01-01", "--to", "2026-01-31"]
    result = runner.invoke(export_app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "module2_sessions.csv  4 rows" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "module2_sessions.csv", "module3_uptime.csv", "module4_outages.csv",
    ]  # fmt: skip


def test_missing_warehouse_and_bad_dates(tmp_path: Path) -> None:
    args = ["evchart", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    result = runner.invoke(export_app, [*args, "--from", "2026-01-01", "--to", "2026-01-31"])
    assert result.exit_code == 2
    assert "cpo pipelines run --data-dir" in result.stderr
    assert "Traceback" not in result.stderr
    result = runner.invoke(export_app, [*args, "--from", "2026-13-01", "--to", "2026-01-31"])
    assert result.exit_code == 2
    assert "--from '2026-13-01' is not a date" in result.stderr
    result = runner.invoke(export_app, [*args, "--from", "2026-02-01", "--to", "2026-01-31"])
    assert result.exit_code == 2
    assert "before --from" in result.stderr
    assert runner.invoke(export_app, ["evchart", "--help"]).exit_code == 0
