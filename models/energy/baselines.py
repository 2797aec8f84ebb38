"""The two baselines the optimiser is measured against.

- ``uncontrolled``: every car draws what it and its charger can, limits ignored (what a site
  without energy management does; its peak is the reference for peak reduction).
- ``equal_share``: max-min fair water-filling: all cars' power rises together until a car is
  full or a circuit's limit binds, then the cars under that circuit stay where they are and the
  others keep rising. Every limit in the tree holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from models.energy.sessions import OpenSession, incidence
from models.energy.site import Site

_EPS = 1e-9  # kW: a headroom smaller than this counts as none


def uncontrolled(site: Site, sessions: Sequence[OpenSession]) -> dict[str, float]:
    inc = incidence(site, sessions)
    return {s.id: float(r) for s, r in zip(sessions, _wanting(sessions, inc.caps_kw), strict=True)}


def _wanting(sessions: Sequence[OpenSession], caps: npt.NDArray[np.float64]) -> np.ndarray:
    """A car with nothing left to deliver draws nothing."""
    need = np.array([s.remaining_kwh > 0 for s in sessions], dtype=bool)
    return np.where(need, caps, 0.0)


def equal_share(site: Site, sessions: Sequence[OpenSession]) -> dict[str, float]:
    inc = incidence(site, sessions)
    caps = _wanting(sessions, inc.caps_kw)
    rates = np.zeros(len(sessions))
    active = caps > _EPS
    matrix = inc.matrix
    while active.any():
        slack = inc.limits_kw - matrix @ rates
        counts = matrix @ active.astype(float)
        loaded = counts > 0
        step_circuit = np.min(slack[loaded] / counts[loaded]) if loaded.any() else np.inf
        step = min(float(np.min(caps[active] - rates[active])), float(step_circuit))
        rates[active] += max(step, 0.0)
        full = (inc.limits_kw - matrix @ rates) <= _EPS
        blocked = (matrix[full].sum(axis=0).A1 > 0) if full.any() else np.zeros_like(active)
        active &= ~blocked & (caps - rates > _EPS)
    return {s.id: float(r) for s, r in zip(sessions, rates, strict=True)}
