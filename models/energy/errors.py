"""The errors of the energy allocator."""

from __future__ import annotations

from models.errors import ModelError


class EnergyError(ModelError):
    """Base of the energy allocator's errors."""


class SiteModelError(EnergyError):
    """A site model is not a tree, names an unknown circuit, or has a negative limit."""


class SolverError(EnergyError):
    """The optimiser's solver did not return a solution."""
