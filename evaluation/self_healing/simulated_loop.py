"""Self-healing inside a simulation: the loop ticks on the simulated clock, through the
simulated CSMS's real HTTP API, as it would against a live network. With a ``LivePredictor``
the fault model's scores are refreshed from the lake first, on their own (longer) interval."""

from __future__ import annotations

from evaluation.self_healing.predictive import LivePredictor
from models.healing.client import CsmsApi
from models.healing.loop import SelfHealer
from models.healing.policy import PolicyConfig
from workbench.runs.sim_csms import SimCsms


class SimulatedHealing:
    """A ``During`` hook for ``SimulateJob``: one pass every ``every_s`` simulated seconds."""

    def __init__(
        self, cfg: PolicyConfig, every_s: float = 300.0, predictor: LivePredictor | None = None
    ) -> None:
        self.cfg, self.every_s, self.predictor = cfg, every_s, predictor
        self.next_at: float | None = None
        self.healer: SelfHealer | None = None
        self._api: CsmsApi | None = None

    async def __call__(self, t: float, csms: SimCsms) -> None:
        refreshed = False
        if self.predictor is not None:
            refreshed = await self.predictor.maybe_refresh(t, csms)
        if self.next_at is not None and t < self.next_at and not refreshed:
            return
        self.next_at = t + self.every_s
        if self._api is None:
            self._api = await CsmsApi(csms.api_url, csms.server.api.token).__aenter__()
            scores = self.predictor.scores if self.predictor is not None else dict
            self.healer = SelfHealer(self._api, self.cfg, scores)
        assert self.healer is not None
        await self.healer.tick(t)

    async def close(self) -> None:
        if self._api is not None:
            await self._api.__aexit__(None, None, None)
