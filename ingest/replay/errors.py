"""Errors of the replay: a session file or option the replay cannot use."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError


class ReplayError(IngestError):
    """The replay cannot run; the message says why and how to fix it."""


class ReplayInputError(ReplayError):
    """A session file that cannot be read: which file, where in it, what is wrong, the fix."""

    def __init__(self, path: Path, where: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {where}: {problem}. {fix}")
        self.path = path
        self.where = where


class ReplayRejectedError(ReplayError):
    """The CSMS answered one of the replay's calls with a CALLERROR: which call, and why."""

    def __init__(self, action: str, station: str, reason: str) -> None:
        super().__init__(f"the CSMS rejected {action} of station {station}: {reason}")
        self.action, self.station, self.reason = action, station, reason
