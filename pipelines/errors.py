"""One exception hierarchy for the pipelines: every error a user can fix says how."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipelines raise on purpose (bad config, missing data, ...)."""


class ConfigFileError(PipelineError):
    """A config file (tariffs, partners, exclusion windows) is missing a field or malformed."""


class WarehouseMissingError(PipelineError):
    """The warehouse has not been built yet (run ``cpo pipelines run``)."""


class LakeMissingError(PipelineError):
    """The data folder has no lake to build from."""
