"""Errors about where the lake lives: a bad location, or an object store that refuses or fails.

Each message is one line that says what is wrong and how to fix it; the CLI shows it as is
(``IngestError`` is a user error there).
"""

from __future__ import annotations

from ingest.errors import IngestError


class LakeLocationError(IngestError):
    """The lake's location is unusable: a malformed URL or setting, or a store that refuses."""


class LakeUrlError(LakeLocationError):
    """A lake URL or one of the AWS_* settings is malformed (found before any request)."""


class LakeStoreError(LakeLocationError):
    """The object store refused or failed a request: no such bucket, credentials refused,
    endpoint unreachable, ..."""
