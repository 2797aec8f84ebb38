"""A file job's way to its final state, from the CALL to the last notification."""

from __future__ import annotations

from pathlib import Path

from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.config import CsmsConfig
from csms_lite.files.jobs import answered, file_status, notified, sending, snake
from csms_lite.handlers.context import CallContext
from csms_lite.registry.store import Registry
from csms_lite.state import ChargerState

UPDATE = CommandRequest("CS", "UpdateFirmware", {"requestId": 5, "firmware": {
    "location": "https://h/fw.bin", "retrieveDateTime": "2026-03-01T00:00:00Z"}})


def _result(outcome: str, status: str | None = None) -> CommandResult:
    return CommandResult("cmd-1", "CS", "UpdateFirmware", UPDATE.payload, outcome,
                         response={"status": status} if status else None, status=status)


def test_a_notification_naming_another_request_is_a_job_of_its_own() -> None:
    cs = ChargerState("CS", "2.0.1")
    job = sending(UPDATE, cs, 1.0)
    answered(job, _result("answered", "Accepted"))
    notified(cs, "firmware", "Downloading", 5, 2.0)
    assert cs.firmware_job is job
    assert (job.location, job.command_id, job.final) == ("https://h/fw.bin", "cmd-1", False)
    other = notified(cs, "firmware", "Installed", 6, 3.0)
    assert other is not job
    assert (other.request_id, other.command_id, other.final) == (6, None, True)
    assert job.status == "Downloading"  # the first job is left as it was


def test_idle_ends_nothing_and_an_unanswered_command_ends_its_job() -> None:
    cs = ChargerState("CP", "1.6")
    req = CommandRequest("CP", "GetDiagnostics", {"location": "https://h/u"})
    job = sending(req, cs, 1.0)
    answered(job, _result("answered"))  # 1.6: an answer without a status
    assert (job.kind, job.answer, job.final) == ("diagnostics", "Accepted", False)
    notified(cs, "diagnostics", "Uploading", None, 2.0)
    notified(cs, "diagnostics", "Idle", None, 3.0)
    assert (job.status, job.final, [s for _, s in job.history]) == (
        "Uploading", False, ["Uploading", "Idle"])
    late = sending(req, cs, 4.0)
    answered(late, _result("timeout"))
    assert late is not None
    assert (late.answer, late.final, cs.diagnostics_job) == ("timeout", True, late)
    assert sending(CommandRequest("CP", "Reset", {"type": "Soft"}), cs, 5.0) is None


def test_the_command_gets_its_outcome_once_when_the_job_ends(tmp_path: Path) -> None:
    cs = ChargerState("CS", "2.0.1")
    answered(sending(UPDATE, cs, 1.0), _result("answered", "Accepted"))
    registry = Registry(tmp_path / "registry.sqlite")
    try:
        ctxs = [CallContext(cs, registry, CsmsConfig(data_dir=tmp_path), float(t), f"u{t}")
                for t in range(3)]
        for ctx, status in zip(ctxs, ("Downloading", "DownloadFailed", "DownloadFailed"),
                               strict=True):
            file_status(ctx, "firmware", status, 5)
    finally:
        registry.close()
    assert [c.outcomes for c in ctxs] == [[], [("cmd-1", "download_failed", {
        "status": "DownloadFailed", "request_id": 5,
        "statuses": ["Downloading", "DownloadFailed"], "downloads": 0, "uploads": 0})], []]
    assert snake("InstallVerificationFailed") == "install_verification_failed"
