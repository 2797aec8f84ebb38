"""A charger's firmware update and diagnostics upload, followed from the command's answer
through the status notifications to a final state (``FileJob.final``).

Final: the update installed or failed (download, install, signature), the upload done or
failed; or the charger refused the command. 1.6 notifications carry no request id and belong
to the charger's latest job; a 2.0.1 one names its ``requestId``, and one naming no job of ours
(the charger's own, or from before a restart) starts a job of its own. ``Idle`` (the answer
to a TriggerMessage when nothing is under way) is noted and ends nothing."""

from __future__ import annotations

from typing import Any

from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.handlers.context import CallContext
from csms_lite.state import ChargerState, FileJob

FIRMWARE_FINAL = frozenset({"Installed", "DownloadFailed", "InstallationFailed",
                            "InstallVerificationFailed", "InvalidSignature"})
DIAGNOSTICS_FINAL = frozenset({"Uploaded", "UploadFailed", "UploadFailure", "BadMessage",
                               "NotSupportedOperation", "PermissionDenied", "AcceptedCanceled"})
# The command answers that start a job (1.6 UpdateFirmware and GetDiagnostics answer without a
# status: received is accepted).
STARTED = frozenset({"Accepted", "AcceptedCanceled"})
KIND_OF = {"UpdateFirmware": "firmware", "SignedUpdateFirmware": "firmware",
           "GetDiagnostics": "diagnostics", "GetLog": "diagnostics"}
FINAL = {"firmware": FIRMWARE_FINAL, "diagnostics": DIAGNOSTICS_FINAL}


def job_of(charger: ChargerState, kind: str) -> FileJob | None:
    return charger.firmware_job if kind == "firmware" else charger.diagnostics_job


def _set(charger: ChargerState, job: FileJob) -> None:
    if job.kind == "firmware":
        charger.firmware_job = job
    else:
        charger.diagnostics_job = job


def sending(req: CommandRequest, charger: ChargerState, now: float) -> FileJob | None:
    """The job of an UpdateFirmware / GetDiagnostics / GetLog about to be sent (None for any
    other command). Made before the CALL goes out: the charger may notify its first step before
    the task that sent the command has read the answer."""
    kind = KIND_OF.get(req.action)
    if kind is None:
        return None
    p = req.payload
    location = (p.get("location") or (p.get("firmware") or {}).get("location")
                or (p.get("log") or {}).get("remoteLocation"))
    job = FileJob(kind, req.action, None, p.get("requestId"), location, now)
    _set(charger, job)
    return job


def answered(job: FileJob | None, result: CommandResult) -> None:
    """The command's fate: its id, and the charger's answer (refused or never answered:
    final at once; 1.6 answers without a status, which means received)."""
    if job is None:
        return
    job.command_id = result.command_id
    if result.outcome != "answered":
        job.answer, job.final = result.outcome, True
        return
    answer = result.response or {}
    job.answer = result.status or "Accepted"
    job.file_name = answer.get("fileName") or answer.get("filename")
    if job.answer not in STARTED:
        job.final = True


def file_status(ctx: CallContext, kind: str, status: str, request_id: Any) -> None:
    """A handler's part: the job follows the notification, and the command that started it
    gets an ``Outcome`` row once, when the job ends (e.g. ``installed``, ``download_failed``)."""
    job = notified(ctx.charger, kind, status, request_id, ctx.now)
    if job.final and not job.recorded and job.command_id is not None:
        job.recorded = True
        ctx.outcomes.append((job.command_id, snake(status), {
            "status": status, "request_id": job.request_id,
            "statuses": [s for _, s in job.history], "downloads": job.downloads,
            "uploads": len(job.uploads)}))


def snake(status: str) -> str:
    """``DownloadFailed`` -> ``download_failed``."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in status).lstrip("_")


def notified(charger: ChargerState, kind: str, status: str, request_id: Any, now: float
             ) -> FileJob:
    """A FirmwareStatusNotification / DiagnosticsStatusNotification / LogStatusNotification."""
    job = job_of(charger, kind)
    rid = request_id if isinstance(request_id, int) else None
    if status == "Idle" and job is not None:
        job.history.append((now, status))
        return job
    if job is None or (rid is not None and job.request_id is not None and rid != job.request_id):
        action = ("UpdateFirmware" if kind == "firmware" else
                  "GetDiagnostics" if charger.ocpp_version == "1.6" else "GetLog")
        job = FileJob(kind, action, None, rid, None, now)
        _set(charger, job)
    job.status, job.status_at = status, now
    job.history.append((now, status))
    job.final = status in FINAL[kind]
    return job
