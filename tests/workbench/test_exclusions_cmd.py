"""`cpo exclusions add/list/remove` (the sub-app, until the lead wires it into `cpo`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipelines import exclusions
from workbench.commands.exclusions import exclusions_app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(exclusions_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_add_list_remove(tmp_path: Path) -> None:
    data = str(tmp_path)
    code, out, _ = run(
        "add", "--data-dir", data, "--scope", "site", "--target", "S01",
        "--from", "2026-01-10T08:00Z", "--to", "2026-01-10T12:00Z",
        "--cause", "scheduled_maintenance", "--note", "pads", "--by", "ana",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "EW-0001")
    (window,) = exclusions.load(tmp_path / "config" / "exclusion_windows.csv")
    assert (window.target, window.added_by, window.note) == ("S01", "ana", "pads")
    code, out, _ = run("list", "--data-dir", data)
    assert code == 0
    assert "EW-0001" in out
    assert "2026-01-10T08:00:00Z" in out
    code, out, _ = run("list", "--data-dir", data, "--csv")
    assert out.splitlines()[0] == ",".join(exclusions.COLUMNS)
    assert run("remove", "EW-0001", "--data-dir", data)[:2] == (0, "removed EW-0001\n")
    assert "no exclusion windows" in run("list", "--data-dir", data)[1]


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    data = str(tmp_path)
    base = ["add", "--data-dir", data, "--scope", "site", "--target", "S01",
            "--from", "2026-01-10T08:00Z", "--cause", "vandalism"]  # fmt: skip
    code, _, err = run(*base, "--to", "2026-01-10T07:00Z")
    assert code == 2
    assert err.strip() == "error: --to: must be after start_at"
    code, _, err = run(*base, "--to", "soon")
    assert code == 2
    assert "--to 'soon' is not a time" in err
    assert len(err.splitlines()) == 1
    code, _, err = run(*[a if a != "vandalism" else "rain" for a in base], "--to", "2026-01-11")
    assert code == 2
    assert err.startswith("error: --cause: 'rain' is not one of")
    code, _, err = run("remove", "EW-9", "--data-dir", data)
    assert code == 2
    assert "no exclusion window 'EW-9'" in err
    bad = tmp_path / "config" / "exclusion_windows.csv"
    bad.parent.mkdir()
    bad.write_text("window_id,scope\nEW-1,site\n", encoding="utf-8")
    code, _, err = run("list", "--data-dir", data)
    assert code == 2
    assert "missing column(s)" in err
    assert "Traceback" not in err


def test_every_command_has_help() -> None:
    for command in ("add", "list", "remove"):
        result = runner.invoke(exclusions_app, [command, "--help"])
        assert result.exit_code == 0
        assert "--data-dir" in result.stdout
