"""Why a download or an upload is refused, with the HTTP status to answer."""

from __future__ import annotations

from csms_lite.errors import CsmsError


class FileRefused(CsmsError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
