"""The ingest package's exception root, so a caller can catch everything it raises on purpose."""

from __future__ import annotations


class IngestError(Exception):
    """Root of every error ingest raises on purpose; the message says what is wrong and how to
    fix it."""
