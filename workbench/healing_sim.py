"""Self-healing inside a simulation: the loop ticks on the simulated clock, through the
simulated CSMS's real HTTP API, as it would against a live network."""

from __future__ import annotations

from models.healing.client import CsmsApi
from models.healing.loop import SelfHealer
from models.healing.policy import PolicyConfig
from workbench.sim_csms import SimCsms


class SimulatedHealing:
    """A ``During`` hook for ``SimulateJob``: one pass every ``every_s`` simulated seconds."""

    def __init__(self, cfg: PolicyConfig, every_s: float = 300.0) -> None:
        self.cfg, self.every_s = cfg, every_s
        self.next_at: float | None = None
        self.healer: SelfHealer | None = None
        self._api: CsmsApi | None = None

    async def __call__(self, t: float, csms: SimCsms) -> None:
        if self.next_at is not None and t < self.next_at:
            return
        self.next_at = t + self.every_s
        if self._api is None:
            self._api = await CsmsApi(csms.api_url, csms.server.api.token).__aenter__()
            self.healer = SelfHealer(self._api, self.cfg)
        assert self.healer is not None
        await self.healer.tick(t)

    async def close(self) -> None:
        if self._api is not None:
            await self._api.__aexit__(None, None, None)
