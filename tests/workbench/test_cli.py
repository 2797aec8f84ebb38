"""The ``cpo`` command: every subcommand has --help, bad options give one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()
SUBCOMMANDS = [
    ["csms"], ["command"], ["status"], ["demo"], ["replay"], ["chargers"], ["chargers", "add"],
    ["chargers", "list"], ["chargers", "remove"], ["tags"], ["tags", "add"], ["tags", "list"],
    ["tags", "remove"],
]


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_demo_refuses_a_file_as_data_dir(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(app, ["demo", "--data-dir", str(target)])
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert "Traceback" not in result.output


def test_command_without_token_says_how_to_fix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["command", "CP1", "reset", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--token" in result.output


def test_command_when_api_is_down(tmp_path: Path) -> None:
    result = runner.invoke(app, ["command", "CP1", "reset", "--token", "t", "--api-url",
                                 "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the CSMS API" in result.output
