"""The ``cpo`` command: every subcommand has --help, bad options give one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()


def _paths(command: Any, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and group under ``command``, as the words that name it on the command line.

    Duck-typed on ``commands``: typer vendors its own click, whose classes are not click's.
    """
    found = [list(path)] if path else []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*path, name))
    return found


# From the app itself, so a new command without --help fails here without anyone listing it.
SUBCOMMANDS = _paths(typer.main.get_command(app))


def test_the_list_is_the_whole_app() -> None:
    assert len(SUBCOMMANDS) > 30
    assert ["chargers", "add"] in SUBCOMMANDS
    assert ["pipelines", "run"] in SUBCOMMANDS


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


def test_the_token_never_goes_on_the_command_line(tmp_path: Path) -> None:
    """``ps`` shows a command line to every user: a token comes from a file or the environment."""
    result = runner.invoke(app, ["command", "CP1", "reset", "--token", "secret"])
    assert result.exit_code == 2
    assert "No such option: --token" in result.output
    result = runner.invoke(app, ["command", "CP1", "reset", "--token-file",
                                 str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "cannot read the API token file" in result.output


def test_command_without_token_says_how_to_fix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["command", "CP1", "reset", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--token-file" in result.output


def test_command_when_api_is_down(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t\n")
    result = runner.invoke(app, ["command", "CP1", "reset", "--token-file", str(token),
                                 "--api-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the CSMS API" in result.output
