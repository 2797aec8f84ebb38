"""Real charging sessions as an allocation workload: arrival, departure, energy to deliver,
station; and the tariff's price and demand rate at every step, in the site's local time.

ACN-style: the energy a session asks for is what it really took (``kWhDelivered``), capped at
what its charger could deliver in its dwell at full rate (acnportal's ``force_feasible``), and
its departure is the real disconnect time, known to every algorithm (as in acnportal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import orjson

from pipelines.tariffs.utility import UtilityTariff


@dataclass(frozen=True)
class Arrival:
    session_id: str
    station: str
    arrival: int  # step index from the start of the run
    departure: int  # first step the car is gone
    energy_kwh: float


@dataclass(frozen=True)
class Workload:
    start: datetime  # local, aware
    step_min: int
    steps: int
    arrivals: tuple[Arrival, ...]
    stations: tuple[str, ...]

    def step_times(self) -> list[datetime]:
        return [self.start + timedelta(minutes=self.step_min * k) for k in range(self.steps)]


def read_acn_items(path: Path) -> list[dict[str, object]]:
    items = orjson.loads(path.read_bytes())["_items"]
    return list(items)


def workload(items: Sequence[dict[str, object]], month: str, charger_kw: float,
             step_min: int = 5, tz: str = "America/Los_Angeles") -> Workload:
    """The sessions that arrive in local calendar month ``month`` ("YYYY-MM"), on a run that
    covers that month and the last departure."""
    zone = ZoneInfo(tz)
    first = datetime.fromisoformat(f"{month}-01").replace(tzinfo=zone)
    step = timedelta(minutes=step_min)
    out, stations = [], set()
    for d in items:
        arrive = parsedate_to_datetime(str(d["connectionTime"])).astimezone(zone)
        if arrive.strftime("%Y-%m") != month:
            continue
        leave = parsedate_to_datetime(str(d["disconnectTime"])).astimezone(zone)
        a, b = int((arrive - first) / step), int((leave - first) / step)
        if b <= a:
            continue
        feasible = charger_kw * (b - a) * step_min / 60
        kwh = min(float(d["kWhDelivered"]), feasible)  # type: ignore[arg-type]
        station = str(d["spaceID"])
        stations.add(station)
        out.append(Arrival(str(d["sessionID"]), station, a, b, kwh))
    out.sort(key=lambda x: (x.arrival, x.session_id))
    steps = max((x.departure for x in out), default=0) + 1
    return Workload(first, step_min, steps, tuple(out), tuple(sorted(stations)))


def prices(tariff: UtilityTariff, times: Sequence[datetime]) -> tuple[npt.NDArray[np.float64],
                                                                       npt.NDArray[np.float64]]:
    """($/kWh, $/kW demand rate) at each local time."""
    pairs = [tariff.price(t) for t in times]
    return np.array([p for p, _ in pairs]), np.array([d for _, d in pairs])
