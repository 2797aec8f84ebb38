"""Every page through Streamlit's AppTest on the fixture warehouse: no exception, and the key
numbers on screen are the ones worked out by hand from tests/dashboard/fixture.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def open_app(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    page: str | None = None,
    api_url: str | None = None,
) -> AppTest:
    monkeypatch.setenv("CPO_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CPO_API_TOKEN", raising=False)
    if api_url:
        monkeypatch.setenv("CPO_API_URL", api_url)
    else:
        monkeypatch.delenv("CPO_API_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overview_numbers(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = metrics(open_app(fixture_dir, monkeypatch))
    # (40,000 − 700) / 40,000 = 98.25 %; only A-1/1 (94 %) is below 97 %.
    assert m["NEVI uptime"] == ("98.25 %", "+1.25 pts vs 97 %")
    assert m["Ports below 97 %"][0] == "1 of 4"
    # B-1 offline since 10:00; A-1 has a Faulted port; B-2's fault ended.
    assert (m["Online"][0], m["Offline"][0], m["Faulted"][0]) == ("1", "1", "1")
    # today s1 + s2: 2 sessions, 50 kWh, $25; last week by 12:00 only s3: 1, 10 kWh, $5.
    assert m["Sessions"] == ("2", "+100 % vs last week")
    assert m["Energy"] == ("50 kWh", "+400 % vs last week")
    assert m["Revenue"] == ("$25.00", "+400 % vs last week")


def test_overview_alerts_and_now(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(fixture_dir, monkeypatch)
    assert "Open alerts (2)" in [s.value for s in at.subheader]
    assert any("2026-01-12 12:00 UTC, not the wall clock" in c.value for c in at.caption)


def test_reliability(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(fixture_dir, monkeypatch, "reliability")
    heads = [s.value for s in at.subheader]
    assert "Port uptime: 1 of 4 ports below 97 %" in heads
    assert "Faults by error code and model (3 faults)" in heads
    table = at.dataframe[0].value
    assert table.iloc[0]["port_id"] == "A-1/1"
    assert table.iloc[0]["uptime_pct"] == pytest.approx(94.0)
    assert any("No predictions yet" in c.value for c in at.caption)


def test_reliability_shows_predictions_and_self_healing(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    marts = data / "warehouse" / "marts"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('A-1', TIMESTAMPTZ '2026-01-12 11:00:00+00', 0.2, '["errors_24h"]', 'own', 'v1'),
        ('A-1', TIMESTAMPTZ '2026-01-12 12:00:00+00', 0.9, '["temp_max_24h", "errors_24h"]',
         'default', 'v7'),
        ('B-2', TIMESTAMPTZ '2026-01-12 12:00:00+00', 0.4, '["reboots_7d"]', 'default', 'v7'))
        t(charge_point_id, scored_at, probability, top_features, model_source, model_version))
        TO '{marts}/predictions.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT TIMESTAMPTZ '2026-01-12 09:05:00+00' AS requested_at,
        'A-1' AS charge_point_id, 'reset' AS action, 'score 0.9' AS reason,
        'recovered' AS outcome, 'Accepted' AS result)
        TO '{marts}/self_healing_actions.parquet' (FORMAT parquet)""")
    at = open_app(data, monkeypatch, "reliability")
    preds = next(d.value for d in at.dataframe if "probability" in d.value.columns)
    # latest score per charger, highest first: A-1 0.9 (not its older 0.2), then B-2 0.4
    assert list(preds["charge_point_id"]) == ["A-1", "B-2"]
    assert list(preds["probability"]) == [0.9, 0.4]
    assert preds.iloc[0]["top_features"] == "temp_max_24h, errors_24h"
    # the model behind each charger's latest score (A-1's older 'own' score is not it)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Scored by the shipped default model v7, trained on a simulated "
                            "network (2 chargers)") for c in captions), captions
    assert "recovered: 1" in [m.value for m in at.markdown]


def test_planning(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(fixture_dir, monkeypatch, "planning")
    ranking = at.dataframe[0].value
    a = ranking.set_index("site_id").loc["A"]
    assert a["time_util"] == pytest.approx(360 / 2880)
    assert a["saturation"] == pytest.approx(0.10)
    assert ranking.iloc[0]["site_id"] == "A"
    assert any(
        m.value.startswith("- **A: add ports**") and "busy 10% of the time" in m.value
        for m in at.markdown
    )


def test_pricing(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = metrics(open_app(fixture_dir, monkeypatch, "pricing"))
    # revenue 10+15+5+20+25, cost 3+4+2+5+6, roaming 1+0.5+2, idle fees 2+1+3 (6/75 = 8 %)
    assert m["Revenue"][0] == "$75.00"
    assert m["Energy cost"][0] == "$20.00"
    assert m["Roaming fees"][0] == "$3.50"
    assert m["Margin"][0] == "$51.50"
    assert m["Idle-fee revenue"][0] == "$6.00"
    assert m["Share of revenue"][0] == "8.0 %"
    assert m["Sessions that paid one"][0] == "3 of 5"


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_revenue_says_where_it_comes_from(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # s2 is priced by its file, the other four by the tariff
    mixed = "the session file's own amounts for 1 session; an estimate from the default " \
        "tariff for the other 4"
    for page in ("overview", "pricing", "partners"):
        assert mixed in _captions(open_app(fixture_dir, monkeypatch, page)), page
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    charges = data / "warehouse" / "marts" / "session_charges.parquet"
    duckdb.execute(f"COPY (SELECT * REPLACE ('file' AS revenue_source) FROM '{charges}') "
                   f"TO '{tmp_path / 'c.parquet'}' (FORMAT parquet)")
    shutil.move(tmp_path / "c.parquet", charges)
    at = open_app(data, monkeypatch, "pricing")
    assert "Revenue: the session file's own amounts." in _captions(at)
    assert "estimate" not in _captions(at)
    at.sidebar.multiselect(key="f_sites").set_value(["A"]).run()  # filters apply to it too
    assert "estimate" not in _captions(at)


def test_site_filter_applies(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(fixture_dir, monkeypatch, "pricing")
    at.sidebar.multiselect(key="f_sites").set_value(["A"]).run()
    assert not at.exception
    assert metrics(at)["Revenue"][0] == "$35.00"  # s1 + s3 + s4


def test_partners_and_reports(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    report = data / "reports" / "outbox" / "P1" / "2026-01" / "usage.csv"
    report.parent.mkdir(parents=True)
    report.write_text("session_id,kwh\ns1,20\n")
    at = open_app(data, monkeypatch, "partners")
    usage = at.dataframe[0].value.set_index("partner")
    assert usage.loc["P2", "revenue"] == pytest.approx(40.0)  # s2 + s5
    assert usage.loc["P1", "sessions"] == 3
    assert any("P1 · 2026-01 · usage.csv" in m.value for m in at.markdown)
    assert len(at.get("download_button")) == 1


def test_missing_warehouse_explains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(tmp_path, monkeypatch)
    assert [t.value for t in at.title] == ["No warehouse yet"]
    assert any(f"cpo pipelines run --data-dir {tmp_path}" in m.value for m in at.markdown)


def test_missing_optional_mart_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.dashboard.fixture import build

    data = build(tmp_path, skip=("faults",))
    at = open_app(data, monkeypatch, "reliability")
    assert any("Needs the mart(s) faults" in i.value for i in at.info)


def test_overview_live_panel_reads_the_latest_alerts_and_actions(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    marts = data / "warehouse" / "marts"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES
        ('A-1', TIMESTAMPTZ '2026-01-12 11:00:00+00', 0.95, true, '["errors_24h"]'),
        ('A-1', TIMESTAMPTZ '2026-01-12 12:00:00+00', 0.10, false, '[]'),
        ('B-2', TIMESTAMPTZ '2026-01-12 12:00:00+00', 0.80, true, '["reboots_7d"]'))
        t(charge_point_id, scored_at, probability, alert, top_features))
        TO '{marts}/predictions.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT TIMESTAMPTZ '2026-01-12 09:05:00+00' AS requested_at,
        'A-1' AS charge_point_id, 'Reset' AS action, 'faulted' AS trigger,
        'Accepted' AS answer, 'cured' AS result)
        TO '{marts}/self_healing_actions.parquet' (FORMAT parquet)""")
    at = open_app(data, monkeypatch)
    alerts = next(d.value for d in at.dataframe if "probability" in d.value.columns)
    assert list(alerts["charge_point_id"]) == ["B-2"]  # A-1's latest score no longer alerts
    actions = next(d.value for d in at.dataframe if "trigger" in d.value.columns)
    assert actions.iloc[0].to_dict() == {
        "requested_at": actions.iloc[0]["requested_at"], "charge_point_id": "A-1",
        "action": "Reset", "trigger": "faulted", "answer": "Accepted", "result": "cured"}
    assert any("No CSMS API given" in c.value for c in at.caption)


def test_reliability_lists_quarantined_sessions(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    marts = data / "warehouse" / "marts"
    duckdb.connect().execute(f"""COPY (SELECT * FROM (VALUES
        ('A-1:1', 'A', TIMESTAMPTZ '2026-01-06 09:00:00+00', TIMESTAMPTZ '2026-01-06 10:00:00+00',
         7.0, 7.2, 'EMSP-X', NULL),
        ('B-1:9', 'B', TIMESTAMPTZ '2026-01-07 09:00:00+00', TIMESTAMPTZ '2026-01-07 09:10:00+00',
         49000.0, 0.0, 'EMSP-X', 'another charge point''s transaction, negative power'))
        t(session_id, site_id, start_at, end_at, energy_kwh, peak_kw, partner, quarantine_reason))
        TO '{marts}/sessions.parquet' (FORMAT parquet)""")
    at = open_app(data, monkeypatch, "reliability")
    assert "Quarantined sessions (1)" in [s.value for s in at.subheader]
    held = next(d.value for d in at.dataframe if "quarantine_reason" in d.value.columns)
    assert list(held["session_id"]) == ["B-1:9"]


def test_energy(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = metrics(open_app(fixture_dir, monkeypatch, "energy"))
    assert m["Highest 15-min load"][0] == "34.0 kW"
    assert m["Intervals over limit"][0] == "1"
    # 34 x 15.51 + 7 x 15.51 = 635.91; margins 700 - 635.91 = 64.09.
    assert m["Demand charges"][0] == "$635.91"
    assert m["Margin after demand"][0] == "$64.09"
