"""The product's self-healing loop inside a simulation (``cpo demo``, the A/B harness): one pass
every ``every_s`` simulated seconds, on the simulated clock, through the simulated CSMS's real
HTTP API, exactly as ``cpo self-heal run`` works against a live network. With ``tickets``, the
loop keeps its maintenance tickets in the simulation's data folder, hands them to field service
after each pass (the outbox the simulated technicians read) and applies field service's reports
before the next one, as ``cpo self-heal run`` does."""

from __future__ import annotations

from collections.abc import Callable

from csms_lite.api.token import SELF_HEALING, part_token
from csms_lite.client import AsyncCsmsClient
from ingest.data_folder import DataFolder
from models.healing.loop import Journal, SelfHealer, connect
from models.healing.policy import PolicyConfig, Score
from models.tickets.field_reports import apply_reports
from models.tickets.store import TicketStore
from pipelines import field_service
from workbench.runs.sim_csms import SimCsms


class SimClockHealing:
    """A ``During`` hook for ``SimulateJob``."""

    def __init__(self, cfg: PolicyConfig, every_s: float = 300.0,
                 scores: Callable[[], dict[str, Score]] = dict, tickets: bool = False) -> None:
        self.cfg, self.every_s, self.scores = cfg, every_s, scores
        self.with_tickets = tickets
        self.tickets: TicketStore | None = None
        self.folder: DataFolder | None = None
        self.next_at: float | None = None
        self.healer: SelfHealer | None = None
        self._api: AsyncCsmsClient | None = None

    async def __call__(self, t: float, csms: SimCsms, now_anyway: bool = False) -> None:
        """A pass if one is due (or ``now_anyway``: fresh scores just arrived)."""
        if self.next_at is not None and t < self.next_at and not now_anyway:
            return
        self.next_at = t + self.every_s
        if self.healer is None:
            token = part_token(csms.server.registry, csms.server.config.data_dir, SELF_HEALING)
            self._api = connect(csms.api_url, token)
            if self.with_tickets:
                self.folder = DataFolder(csms.server.config.data_dir)
                self.tickets = TicketStore(self.folder.tickets_file)
            self.healer = SelfHealer(self._api, self.cfg, self.scores, self.tickets)
        if self.tickets is not None and self.folder is not None:
            apply_reports(self.tickets, self.folder.field_reports)
        await self.healer.tick(t)
        if self.tickets is not None and self.folder is not None:
            field_service.deliver_pending(self.folder, self.tickets)

    @property
    def journal(self) -> Journal:
        return Journal() if self.healer is None else self.healer.journal

    async def close(self) -> None:
        if self._api is not None:
            await self._api.aclose()
            self._api = None
