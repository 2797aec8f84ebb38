"""``cpo reports partners`` on the hand-computed fixture month, through Dagster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.pipelines.reports.fixture_month import make_data_dir
from workbench.commands.reports import reports_app

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("cli"))


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(reports_app, name="reports")
    return app


@pytest.mark.slow
def test_one_partner_month(data_dir: Path) -> None:
    args = ["reports", "partners", "--data-dir", str(data_dir), "--month", "2026-01"]
    result = runner.invoke(_app(), [*args, "--partner", "EMSP-ROAMY"])
    assert result.exit_code == 0, result.output
    assert "EMSP-ROAMY: 2 sessions, 4.000 kWh, revenue 2.10; outbox written" in result.output
    manifest = data_dir / "reports" / "outbox" / "EMSP-ROAMY" / "2026-01" / "manifest.json"
    assert json.loads(manifest.read_text())["totals"]["fees"] == pytest.approx(0.51)
    # the run is recorded in the data folder's Dagster instance
    assert (data_dir / "dagster_home" / "dagster.yaml").is_file()
    again = runner.invoke(_app(), [*args, "--partner", "EMSP-ROAMY"])
    assert "outbox unchanged" in again.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--month", "2026-13"], "is not a month; use YYYY-MM"),
        (["--month", "2026-01", "--partner", "NOPE"], "unknown partner 'NOPE'"),
    ],
)
def test_bad_input_is_one_line(data_dir: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(_app(), ["reports", "partners", "--data-dir", str(data_dir), *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_warehouse(tmp_path: Path) -> None:
    args = ["reports", "partners", "--data-dir", str(tmp_path), "--month", "2026-01"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 2
    assert "cpo pipelines run" in result.output


def test_help() -> None:
    result = runner.invoke(_app(), ["reports", "partners", "--help"])
    assert result.exit_code == 0
    assert "--push" in result.output
    assert "--force" in result.output
