"""`cpo export evchart` and `cpo export evchart-costs`."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tests.pipelines.reliability.test_evchart import S1_COSTS, SESSIONS, publish
from workbench.cli import app

runner = CliRunner()
PERIOD = ["--from", "2026-01-01", "--to", "2026-01-31"]


def _export(data: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    args = ["export", "evchart", "--data-dir", str(data), *PERIOD, "--out", str(out), *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_writes_the_four_modules(tmp_path: Path) -> None:
    publish(tmp_path)
    pairs = [f"{k}={v}" for k, v in S1_COSTS.items()]
    data = ["--data-dir", str(tmp_path)]
    result = runner.invoke(app, ["export", "evchart-costs", "set", "S1", *pairs, *data])
    assert result.exit_code == 0, result.output
    assert "equipment_cost_total=120000" in result.stdout
    out = tmp_path / "out"
    code, stdout, stderr = _export(tmp_path, out, "--network-provider", "acme_charge")
    assert code == 0, stderr
    assert "module2_sessions.csv  4 rows  (1 open session(s) left out until they end)" in stdout
    assert "module9_costs.csv  1 rows" in stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "module2_sessions.csv", "module3_uptime.csv", "module4_outages.csv", "module9_costs.csv",
    ]  # fmt: skip
    with (out / "module9_costs.csv").open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["station_id"], row["network_provider"]) == ("S1", "acme_charge")


def test_network_provider_from_the_environment(tmp_path: Path) -> None:
    publish(tmp_path)
    args = ["export", "evchart", "--data-dir", str(tmp_path), *PERIOD, "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args, env={"CPO_EVCHART_NETWORK_PROVIDER": "env_net"})
    assert result.exit_code == 0, result.output
    with (tmp_path / "o" / "module4_outages.csv").open(encoding="utf-8") as f:
        assert {r["network_provider"] for r in csv.DictReader(f)} == {"env_net"}


def test_rule_violations_exit_2_on_one_line(tmp_path: Path) -> None:
    bad = ("CP1:9", "CP1/1", "2026-01-07 10:00", "2026-01-07 11:00", "stop", "Local",
           None, "T1", "Accepted", 100000.0, 10.0)  # fmt: skip
    publish(tmp_path, [*SESSIONS, bad])
    code, _, stderr = _export(tmp_path, tmp_path / "out")
    assert code == 2
    assert stderr.count("\n") == 1
    assert stderr.startswith("error: 1 EV-ChART rule violation(s): module2_sessions.csv row ")
    assert "energy_kwh: 100000.00 has 6 integer digits, at most 5" in stderr
    assert "Traceback" not in stderr
    assert not list((tmp_path / "out").glob("*.csv"))


def test_costs_set_list_remove(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    costs = ["export", "evchart-costs"]
    result = runner.invoke(app, [*costs, "list", *data])
    assert "no station costs" in result.stdout
    ok = runner.invoke(
        app, [*costs, "set", "S2", "der_cost_total=10", "operational_date=2024-01-02", *data]
    )
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(app, [*costs, "list", *data]).stdout
    assert "station_id=S2 operational_date=2024-01-02 der_cost_total=10" in listed
    # one total given: every total and federal share is needed (validate_m9)
    assert "module 9 still needs: real_property_cost_total, real_property_cost_federal," in listed
    bad = runner.invoke(app, [*costs, "set", "S2", "der_cost_total=1.005", *data])
    assert bad.exit_code == 2
    assert bad.stderr == "error: der_cost_total: 1.005 has 3 decimals, at most 2\n"
    bad = runner.invoke(app, [*costs, "set", "S2", "der_cost_total", *data])
    assert bad.exit_code == 2
    assert "is not FIELD=VALUE" in bad.stderr
    assert runner.invoke(app, [*costs, "remove", "S2", *data]).stdout == "removed S2\n"
    gone = runner.invoke(app, [*costs, "remove", "S2", *data])
    assert gone.exit_code == 2
    assert "no station 'S2'" in gone.stderr


def test_missing_warehouse_and_bad_dates(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, _, stderr = _export(tmp_path, out)
    assert code == 2
    assert "cpo pipelines run --data-dir" in stderr
    assert "Traceback" not in stderr
    base = ["export", "evchart", "--data-dir", str(tmp_path), "--out", str(out)]
    result = runner.invoke(app, [*base, "--from", "2026-13-01", "--to", "2026-01-31"])
    assert result.exit_code == 2
    assert "--from '2026-13-01' is not a date" in result.stderr
    result = runner.invoke(app, [*base, "--from", "2026-02-01", "--to", "2026-01-31"])
    assert result.exit_code == 2
    assert "before --from" in result.stderr
    assert runner.invoke(app, ["export", "evchart", "--help"]).exit_code == 0
    assert runner.invoke(app, ["export", "evchart-costs", "--help"]).exit_code == 0
