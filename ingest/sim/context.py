"""What every agent of one simulation shares: time, settings, the CSMS's address, the truth log
and the counters behind progress lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.sim.faults import Precursors
from ingest.sim.field_contract import FieldService
from ingest.sim.profile import SimProfile
from ingest.sim.tags import Tag
from ingest.sim.timeline import Timeline
from ingest.sim.truth import TruthLog


@dataclass(frozen=True)
class SimSettings:
    data_dir: Path
    sites: int = 8
    chargers: int = 60
    days: float = 60.0
    seed: int = 1
    start: float = 1767225600.0  # 2026-01-01T00:00:00Z
    meter_interval_s: float = 900.0
    heartbeat_s: int = 900  # registered per charger; the CSMS hands it out at boot
    tick_s: float = 30.0  # time grid: events within one tick run concurrently
    dc_share: float = 0.25
    v201_share: float = 0.4
    drivers_per_charger: int = 30
    demand_scale: float = 1.0  # x the fitted demand level
    fault_scale: float = 1.0  # x the fitted fault rate (more faults to train models on)
    precursors: Precursors = field(default_factory=Precursors)
    # Technicians who take the tickets of DATA/tickets/outbox (None: nobody comes)
    field_service: FieldService | None = None

    @property
    def end(self) -> float:
        return self.start + self.days * 86400.0


@dataclass
class SimStats:
    sessions: int = 0
    kwh: float = 0.0
    failed_starts: int = 0
    rejected_tags: int = 0
    turned_away: int = 0
    faults: int = 0
    reboots: int = 0
    resets: int = 0


@dataclass
class SimContext:
    timeline: Timeline
    settings: SimSettings
    profile: SimProfile
    url: str
    passwords: dict[str, str]
    tags: tuple[Tag, ...]
    truth: TruthLog = field(default_factory=TruthLog)
    stats: SimStats = field(default_factory=SimStats)
    linked: set[str] = field(default_factory=set)  # chargers whose WebSocket is open
