"""Guard rails on remote commands, for every caller (API, self-healing, any cluster node): the
node holding a charger checks them before a command joins the charger's queue.

- An identical command (same charger, action and payload) already queued or in flight is not
  sent again: its caller shares the first one's answer (a burst of 500 resets is one reset).
- Resets spend a per-charger budget (``CsmsConfig.reset_budget`` per ``reset_window_s``); an
  exhausted budget answers ``rate_limited`` (HTTP 429) instead of rebooting a charger in a loop.
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING

from csms_lite.commands.request import CommandRequest

if TYPE_CHECKING:
    from csms_lite.server.connection import QueuedCommand

RESET_ACTIONS = frozenset({"Reset"})  # the same action name in 1.6 and 2.0.1


def command_key(req: CommandRequest) -> str:
    return json.dumps([req.charge_point_id, req.action, req.payload], sort_keys=True)


class CommandGuard:
    def __init__(self, reset_budget: int, reset_window_s: float) -> None:
        self.reset_budget = reset_budget
        self.reset_window_s = reset_window_s
        self._in_flight: dict[str, QueuedCommand] = {}
        self._resets: dict[str, deque[float]] = {}

    def twin(self, req: CommandRequest) -> QueuedCommand | None:
        """The identical command still waiting for its answer, if any."""
        return self._in_flight.get(command_key(req))

    def track(self, item: QueuedCommand) -> None:
        key = command_key(item.request)
        self._in_flight[key] = item
        item.future.add_done_callback(lambda _: self._forget(key, item))

    def _forget(self, key: str, item: QueuedCommand) -> None:
        if self._in_flight.get(key) is item:
            del self._in_flight[key]

    def spend_reset(self, req: CommandRequest, now: float) -> str | None:
        """None if the command may go (a reset spends one unit); else why it may not."""
        if req.action not in RESET_ACTIONS:
            return None
        spent = self._resets.setdefault(req.charge_point_id, deque())
        while spent and spent[0] <= now - self.reset_window_s:
            spent.popleft()
        if len(spent) >= self.reset_budget:
            return (f"reset budget spent: {len(spent)} resets of {req.charge_point_id} in the "
                    f"last {self.reset_window_s:g} s (at most {self.reset_budget}; "
                    f"cpo csms --reset-budget/--reset-window); try again later")
        spent.append(now)
        return None
