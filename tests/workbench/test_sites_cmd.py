"""`cpo sites ...` through typer's CliRunner on a real registry file."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from typer.testing import CliRunner, Result

from workbench.commands.sites import sites_app

app = typer.Typer()
app.add_typer(sites_app, name="sites")


def run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["sites", *args, "--data-dir", str(data_dir)])


def test_a_site_tree_built_and_shown(tmp_path: Path) -> None:
    for args in (("set-limit", "S", "150"), ("add-circuit", "S", "f1", "80"),
                 ("add-circuit", "S", "f1a", "40", "--parent", "f1"),
                 ("assign", "S", "CP1", "--circuit", "f1a"), ("assign", "S", "CP2")):
        assert run(tmp_path, *args).exit_code == 0
    shown = run(tmp_path, "show", "S", "--json")
    assert shown.exit_code == 0, shown.output
    rows = {r["id"]: (r["kind"], r["on"], r["limit_kw"]) for r in orjson.loads(shown.stdout)}
    assert rows == {"S": ("grid", None, 150.0), "f1": ("circuit", "S", 80.0),
                    "f1a": ("circuit", "f1", 40.0), "CP1": ("charger", "f1a", 7.2),
                    "CP2": ("charger", "S", 7.2)}


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = run(tmp_path, "add-circuit", "S", "x", "10", "--parent", "nope")
    assert bad.exit_code == 2
    assert "error: --parent: site S has no circuit 'nope'" in bad.output
    run(tmp_path, "add-circuit", "S", "f1", "10")
    unset = run(tmp_path, "show", "S")
    assert unset.exit_code == 2
    assert "has no grid limit" in unset.output
    assert "Traceback" not in unset.output
    assert run(tmp_path, "show", "--help").exit_code == 0
