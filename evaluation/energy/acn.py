"""The same workload through acnportal's simulator (Caltech ACN, BSD licence) and its built-in
scheduling algorithms, on a network with the same site model: one EVSE per station at the same
rating, one aggregate constraint for the transformer.

acnportal 0.3.3 imports ``pkg_resources`` (gone from setuptools >= 81, and setuptools is not
ours to pin): ``_shim_pkg_resources`` gives it the one function it calls, from
``importlib.metadata``, before it is imported.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluation.energy.workload import Workload

VOLTS = 208.0  # Caltech's EVSEs are fed at 208 V


def _shim_pkg_resources() -> None:
    if "pkg_resources" in sys.modules or importlib.util.find_spec("pkg_resources") is not None:
        return  # a setuptools that still ships it
    shim = types.ModuleType("pkg_resources")

    def require(name: str) -> list[Any]:
        return [types.SimpleNamespace(version=importlib.metadata.version(name))]

    shim.require = require  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim


def algorithms() -> dict[str, Callable[[], Any]]:
    _shim_pkg_resources()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from acnportal import algorithms as alg
    return {
        "acn_uncontrolled": alg.UncontrolledCharging,
        "acn_round_robin": lambda: alg.RoundRobin(alg.first_come_first_served),
        "acn_fcfs": lambda: alg.SortedSchedulingAlgo(alg.first_come_first_served),
        "acn_edf": lambda: alg.SortedSchedulingAlgo(alg.earliest_deadline_first),
        "acn_llf": lambda: alg.SortedSchedulingAlgo(alg.least_laxity_first),
    }


def run_acn(work: Workload, make_scheduler: Callable[[], Any], chargers: list[str],
            charger_kw: float, transformer_kw: float) -> tuple[npt.NDArray[np.float64], float]:
    """(site power per step in kW, energy delivered in kWh)."""
    _shim_pkg_resources()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from acnportal import acnsim
        from acnportal.acnsim.models import EVSE, Battery
    amps = charger_kw * 1000 / VOLTS
    network = acnsim.ChargingNetwork()
    for cid in chargers:
        network.register_evse(EVSE(cid, max_rate=amps), VOLTS, 0)
    network.add_constraint(acnsim.Current(chargers), transformer_kw * 1000 / VOLTS,
                           name="transformer")
    events = acnsim.EventQueue()
    for a in work.arrivals:
        ev = acnsim.EV(a.arrival, a.departure, a.energy_kwh, a.station, a.session_id,
                       Battery(a.energy_kwh, 0, charger_kw))
        events.add_event(acnsim.PluginEvent(a.arrival, ev))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = acnsim.Simulator(network, make_scheduler(), events, work.start,
                               period=work.step_min, verbose=False)
        sim.run()
    power = np.asarray(acnsim.analysis.aggregate_power(sim), dtype=float)
    load = np.zeros(work.steps)
    load[: min(len(power), work.steps)] = power[: work.steps]
    return load, float(acnsim.analysis.total_energy_delivered(sim))
