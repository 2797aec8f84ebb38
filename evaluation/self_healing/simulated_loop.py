"""Self-healing inside a simulation, for the A/B: the product's loop on the simulated clock
(``workbench.runs.sim_healing``); with a ``LivePredictor`` the fault model's scores are refreshed
from the lake first, on their own (longer) interval, and a refresh brings the next pass forward."""

from __future__ import annotations

from evaluation.self_healing.predictive import LivePredictor
from models.healing.policy import PolicyConfig
from workbench.runs.sim_csms import SimCsms
from workbench.runs.sim_healing import SimClockHealing


class SimulatedHealing:
    """A ``During`` hook for ``SimulateJob``: one pass every ``every_s`` simulated seconds."""

    def __init__(
        self,
        cfg: PolicyConfig,
        every_s: float = 300.0,
        predictor: LivePredictor | None = None,
        tickets: bool = False,
    ) -> None:
        """``tickets``: keep the loop's tickets and hand them to the simulated field service."""
        self.predictor = predictor
        scores = predictor.scores if predictor is not None else dict
        self.loop = SimClockHealing(cfg, every_s, scores, tickets)

    async def __call__(self, t: float, csms: SimCsms) -> None:
        refreshed = False
        if self.predictor is not None:
            refreshed = await self.predictor.maybe_refresh(t, csms)
        await self.loop(t, csms, now_anyway=refreshed)

    async def close(self) -> None:
        await self.loop.close()
