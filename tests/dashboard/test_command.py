"""The Reliability page sends a command by hand through the CSMS HTTP API: a real HTTP server
on 127.0.0.1 stands in for the CSMS and records what arrives."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from csms_lite.commands.build import build
from csms_lite.versions import V16, V201
from dashboard.command_panel import COMMANDS, availability, command_for
from tests.dashboard.test_pages import open_app


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str, Any]]] = []

    def do_GET(self) -> None:
        self.seen.append(("GET", self.path, self.headers["Authorization"], None))
        self._answer(
            200,
            [
                {
                    "charge_point_id": "A-1",
                    "connected": True,
                    "connectors": {"1": {"status": "Faulted"}},
                    "firmware_update": {"action": "UpdateFirmware", "status": "Installing",
                                        "final": False, "answer": "Accepted",
                                        "requested_at": 1772323200.0, "status_at": None},
                },
                {"charge_point_id": "B-1", "connected": False},
            ],
        )

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(("POST", self.path, self.headers["Authorization"], body))
        self._answer(200, {"outcome": "accepted", "status": "Accepted"})

    def _answer(self, code: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def csms() -> Iterator[str]:
    Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_reset_needs_confirmation_then_reaches_the_api(
    fixture_dir: Path, csms: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(fixture_dir, monkeypatch, "reliability", api_url=csms)
    monkeypatch.setenv("CPO_API_TOKEN", "sekret")
    at.run()  # the token is read on each run
    at.selectbox[0].set_value("B-2")
    at.selectbox[1].set_value("reset (hard)")
    at.button[0].click().run()
    assert [w.value for w in at.main.warning] == ["Tick the confirmation box first."]
    assert not [s for s in Recorder.seen if s[0] == "POST"]
    at.checkbox[0].check()
    at.button[0].click().run()
    posts = [s for s in Recorder.seen if s[0] == "POST"]
    assert posts == [
        (
            "POST",
            "/api/v1/chargers/B-2/commands",
            "Bearer sekret",
            {
                "command": "reset",
                "params": {"type": "hard"},
                "requested_by": "operator",
                "reason": "sent by hand from the dashboard",
                "on_behalf_of": "local",  # no users: the local mode's user
            },
        )
    ]
    assert [s.value for s in at.success] == ["reset to B-2: accepted Accepted"]


def test_overview_shows_live_state(
    fixture_dir: Path, csms: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(fixture_dir, monkeypatch, api_url=csms)
    live = {m.label: m.value for m in at.metric if m.label.endswith(" now")}
    assert live == {"Online now": "0", "Faulted now": "1", "Offline now": "1"}
    assert any(c.value.startswith("Updated ") and "every 10 s" in c.value for c in at.caption)


def test_the_live_panel_lists_firmware_and_diagnostics(
    fixture_dir: Path, csms: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(fixture_dir, monkeypatch, api_url=csms)
    assert any(m.value.startswith("**Firmware and diagnostics**") for m in at.markdown)
    [table] = [d.value for d in at.dataframe if "job" in d.value.columns]
    assert table.to_dict("records") == [{
        "charger": "A-1", "job": "firmware", "command": "UpdateFirmware",
        "status": "Installing", "outcome": "under way", "since": "2026-03-01 00:00:00",
        "file": "–"}]


def test_unreachable_api_is_one_line(fixture_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(fixture_dir, monkeypatch, api_url="http://127.0.0.1:9")
    assert any(
        w.value.startswith("Live state unavailable: cannot reach the CSMS API") for w in at.warning
    )


@pytest.mark.parametrize(("version", "expected"), [
    ("1.6", {"available": False, "connector_id": 2}),
    ("2.0.1", {"available": False, "evse_id": 2}),  # 2.0.1's connector_id is inside an EVSE
    (None, {"available": False, "connector_id": 2}),  # a warehouse without the column
])
def test_availability_names_the_port_as_the_charger_s_version_does(
    version: str | None, expected: dict[str, object]
) -> None:
    assert availability(False, 2, version) == expected


def test_each_choice_is_a_command_the_csms_takes() -> None:
    for what in COMMANDS:
        for version in (V16, V201):
            command, params = command_for(what, 1, version.name)
            if command == "get_diagnostics":
                params = {**params, "location": "https://csms.example.com/files/uploads/x"}
            action, _ = build(command, params, version)  # raises on a parameter it refuses
            assert action
    assert command_for("fetch diagnostics", 0, "1.6") == ("get_diagnostics", {})
