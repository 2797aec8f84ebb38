"""Simulated time shared by every agent of a simulation.

Agents (a charger, a site's stream of drivers) sleep until a simulated instant. Time moves only
when every agent is asleep, that is when every call it made has been answered, so whatever the
CSMS records for a tick is complete before the clock moves on. Time advances on a grid of
``tick`` seconds: the agents due within one tick run concurrently, which is what makes a month
of a fleet take minutes, and every timestamp stays a deterministic function of the seed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Awaitable, Callable

OnTick = Callable[[float], Awaitable[None]]


class Sleeper:
    """One agent's place in the timeline."""

    def __init__(self, name: str, priority: int = 0) -> None:
        self.name = name
        self.priority = priority  # within a tick, lower runs first (sites before chargers)
        self.at = math.inf
        self.future: asyncio.Future[None] | None = None


class Timeline:
    def __init__(self, start: float, tick: float) -> None:
        if tick <= 0:
            raise ValueError(f"tick must be positive, got {tick}")
        self.start, self.tick, self.now = start, tick, start
        self._heap: list[tuple[float, int, Sleeper]] = []
        self._seq = itertools.count()
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        """An agent starts running outside a sleep (call once per agent before ``run``)."""
        self._busy += 1
        self._idle.clear()

    def leave(self) -> None:
        """An agent finished for good."""
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    async def sleep_until(self, sleeper: Sleeper, at: float) -> None:
        sleeper.at = max(at, self.now)
        heapq.heappush(self._heap, (sleeper.at, next(self._seq), sleeper))
        sleeper.future = asyncio.get_running_loop().create_future()
        self.leave()
        try:
            await sleeper.future
        finally:
            sleeper.future = None

    def wake(self, sleeper: Sleeper, at: float | None = None) -> None:
        """Bring a sleeping agent's wake-up forward (e.g. a command arrived for it)."""
        at = self.now if at is None else max(at, self.now)
        if sleeper.future is not None and not sleeper.future.done() and at < sleeper.at:
            sleeper.at = at
            heapq.heappush(self._heap, (at, next(self._seq), sleeper))

    def next_at(self) -> float:
        while self._heap:
            at, _, sleeper = self._heap[0]
            if sleeper.future is not None and not sleeper.future.done() and at == sleeper.at:
                return at
            heapq.heappop(self._heap)  # stale: woken earlier or rescheduled
        return math.inf

    def _grid(self, at: float) -> float:
        steps = math.ceil((at - self.start) / self.tick - 1e-9)
        return max(self.now, self.start + steps * self.tick)

    async def run(self, until: float, on_tick: OnTick) -> None:
        """Advance tick by tick until no agent is due before ``until``."""
        while True:
            await self._idle.wait()
            at = self.next_at()
            if at >= until:
                return
            self.now = self._grid(at)
            await on_tick(self.now)
            due: list[tuple[int, float, int, Sleeper]] = []
            while self._heap and self.next_at() <= self.now:
                at, seq, sleeper = heapq.heappop(self._heap)
                due.append((sleeper.priority, at, seq, sleeper))
                sleeper.at = math.inf
            for *_, sleeper in sorted(due, key=lambda d: d[:3]):
                self.enter()
                assert sleeper.future is not None  # next_at() only returns sleeping agents
                sleeper.future.set_result(None)
