"""A replayed site's time zone: from the file's own data (ACN items' ``timezone``), else from
``--timezone``; registered for the site, never overriding a zone the registry already holds."""

from __future__ import annotations

import json
from pathlib import Path

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.replay.acn import read_acn
from ingest.replay.csv_reader import CsvMapping, read_csv
from ingest.replay.plan import build_plan
from ingest.replay.row_checks import Problem
from workbench.runs.replay_registry import register

ITEM = {"stationID": "2-39-1", "connectionTime": "Tue, 01 Dec 2020 13:59:06 GMT",
        "disconnectTime": "Tue, 01 Dec 2020 15:00:00 GMT", "kWhDelivered": 5.5}


def _acn(tmp_path: Path, *items: dict[str, object]) -> Path:
    path = tmp_path / "acn.json"
    path.write_text(json.dumps({"_meta": {"site": "caltech"}, "_items": list(items)}))
    return path


def test_acn_zone_is_the_items_own_else_the_users(tmp_path: Path) -> None:
    path = _acn(tmp_path, ITEM | {"timezone": "America/Los_Angeles"},
                ITEM | {"stationID": "2-39-2"}, ITEM | {"stationID": "2-39-3", "timezone": "Mars"})
    result = read_acn(path)
    assert [s.timezone for s in result.sessions] == ["America/Los_Angeles", None]
    assert [(i.kind, i.where) for i in result.issues] == [(Problem.UNREADABLE, "_items[2]")]
    assert "'Mars' is not an IANA time zone" in result.issues[0].detail
    given = read_acn(path, timezone="America/Denver")
    assert [s.timezone for s in given.sessions] == ["America/Los_Angeles", "America/Denver"]


def test_csv_zone_only_when_given(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("station,start,end,kwh,site\nA,2021-03-01 08:00,2021-03-01 09:00,1,depot\n")
    assert read_csv(path, CsvMapping(site="site")).sessions[0].timezone is None
    zoned = read_csv(path, CsvMapping(site="site", timezone="America/New_York")).sessions[0]
    assert zoned.timezone == "America/New_York"
    assert zoned.start.hour == 13  # 08:00 in New York (EST) is 13:00 UTC


def test_register_sets_the_sites_zone_unless_known(tmp_path: Path) -> None:
    path = _acn(tmp_path, ITEM | {"timezone": "America/Los_Angeles"})
    plan = build_plan(read_acn(path).sessions, 900)
    assert plan.zones == {"caltech": "America/Los_Angeles"}
    with Registry(DataFolder(tmp_path / "a").registry_file) as reg:
        register(reg, plan, "acn", 3600)
        assert reg.site_timezones() == {"caltech": "America/Los_Angeles"}
    with Registry(DataFolder(tmp_path / "b").registry_file) as reg:
        reg.set_site_timezone("caltech", "UTC")  # the operator's word stands
        register(reg, plan, "acn", 3600)
        assert reg.site_timezones() == {"caltech": "UTC"}
