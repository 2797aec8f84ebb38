"""The open sessions an allocation serves, and their incidence on a site's circuits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from models.energy.errors import SiteModelError
from models.energy.site import Site


@dataclass(frozen=True)
class OpenSession:
    id: str
    charger_id: str
    remaining_kwh: float  # still to deliver (requested minus delivered so far)
    max_kw: float  # what the car accepts now (its acceptance curve at its state of charge)
    departure_h: float | None = None  # hours from now; None: unknown (caller gives an estimate)


@dataclass(frozen=True)
class Incidence:
    """Which session's power counts against which circuit: ``matrix[c, i]`` is 1 when session
    ``i``'s charger hangs (directly or further down) off circuit ``c``."""

    circuit_ids: tuple[str, ...]
    limits_kw: npt.NDArray[np.float64]
    matrix: sparse.csr_matrix
    caps_kw: npt.NDArray[np.float64]  # per session: min(charger rating, car acceptance)


def incidence(site: Site, sessions: Sequence[OpenSession]) -> Incidence:
    ids = tuple(site.circuits)
    index = {cid: k for k, cid in enumerate(ids)}
    rows: list[int] = []
    cols: list[int] = []
    caps = np.zeros(len(sessions))
    seen: set[str] = set()
    for i, s in enumerate(sessions):
        if s.charger_id in seen:
            raise SiteModelError(f"charger {s.charger_id!r} has two open sessions")
        seen.add(s.charger_id)
        for cid in site.path(s.charger_id):
            rows.append(index[cid])
            cols.append(i)
        caps[i] = max(0.0, min(site.chargers[s.charger_id].max_kw, s.max_kw))
    matrix = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(sessions))
    )
    limits = np.array([site.circuits[c].limit_kw for c in ids], dtype=float)
    return Incidence(ids, limits, matrix, caps)
