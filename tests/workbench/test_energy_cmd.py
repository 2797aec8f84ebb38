"""`cpo energy decide` through typer's CliRunner against a real CSMS on loopback (in a thread
of its own) and a charger that accepts every command."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner, Result

from csms_lite.registry import Registry
from ingest.data_folder import DataFolder
from tests.threaded_csms import answering_charger, threaded_csms
from workbench.commands.energy import energy_app

app = typer.Typer()
app.add_typer(energy_app, name="energy")


def run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["energy", *args, "--data-dir", str(data_dir)])


def test_fallbacks_and_holds_reach_the_charger(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with threaded_csms(data) as csms, answering_charger(csms, "CP-1") as received:
        with Registry(DataFolder(data).registry_file) as reg:
            reg.site_models.set_grid_limit("S", 11.0)
            reg.site_models.assign_charger("CP-1", "S")
        result = run(data, "decide", "S", "--api-url", csms.api_url)
        assert result.exit_code == 0, result.output
        idle = run(data, "decide", "S", "--api-url", csms.api_url, "--algorithm", "optimiser",
                   "--no-fallbacks")  # no open session: nothing to optimise, the hold only
        assert idle.exit_code == 0, idle.output
        assert [line.split()[1] for line in idle.stdout.splitlines()] == ["hold"]
        lines = result.stdout.splitlines()
        assert lines[0].split()[:5] == ["CP-1", "fallback", "11.00", "kW", "Accepted"]
        assert lines[1].split()[:5] == ["CP-1", "hold", "0.00", "kW", "Accepted"]
    actions = [frame[2] for frame in received]
    assert actions == ["SetChargingProfile", "SetChargingProfile", "GetCompositeSchedule",
                       "SetChargingProfile", "GetCompositeSchedule"]
    fallback = received[0][3]["csChargingProfiles"]
    assert (fallback["chargingProfilePurpose"], fallback["stackLevel"]) == ("TxDefaultProfile", 0)


def test_a_site_without_a_limit_or_a_bad_algorithm_is_one_line(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as reg:
        reg.site_models.add_circuit("S", "f1", 10.0)
    result = run(tmp_path, "decide", "S")
    assert result.exit_code == 2
    assert "has no grid limit" in result.output
    bad = run(tmp_path, "decide", "S", "--algorithm", "magic")
    assert bad.exit_code == 2
    assert "--algorithm" in bad.output
    assert run(tmp_path, "decide", "--help").exit_code == 0
