"""The live panel's firmware and diagnostics table, from the live state the CSMS serves."""

from __future__ import annotations

from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.files.jobs import answered, notified, sending
from csms_lite.state import ChargerState
from dashboard.file_jobs import file_job_rows


def _state() -> ChargerState:
    cp = ChargerState("CP-1", "1.6")
    update = CommandRequest("CP-1", "UpdateFirmware", {"location": "https://h/fw.bin",
                                                        "retrieveDate": "2026-03-01T00:00:00Z"})
    answered(sending(update, cp, 1772323200.0),
             CommandResult("c1", "CP-1", "UpdateFirmware", update.payload, "answered", {}))
    notified(cp, "firmware", "Installed", None, 1772323260.0)
    logs = CommandRequest("CP-1", "GetDiagnostics", {"location": "https://h/u"})
    answered(sending(logs, cp, 1772323300.0),
             CommandResult("c2", "CP-1", "GetDiagnostics", logs.payload, "answered",
                           {"fileName": "d.log"}))
    notified(cp, "diagnostics", "Uploading", None, 1772323320.0)
    return cp


def test_each_job_shows_its_state_and_outcome() -> None:
    other = ChargerState("CP-2", "2.0.1")
    rows = file_job_rows([_state().to_json(), other.to_json()])
    assert [(r["charger"], r["job"], r["status"], r["outcome"], r["file"]) for r in rows] == [
        ("CP-1", "diagnostics", "Uploading", "under way", "d.log"),
        ("CP-1", "firmware", "Installed", "done", "–"),
    ]
    assert rows[1]["since"] == "2026-03-01 00:01:00"
