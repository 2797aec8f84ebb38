"""Back-off on failed Basic auth, per source address and per charge point id.

A charge point id's failures count when a scrypt check for it starts (so 800 concurrent guesses
at one id cannot all pass before the first one fails: a real charger has one attempt at a time)
and a success clears them. A source address's count only when a check fails: many chargers
behind one NAT or balancer reconnecting at once after a restart are not refused for being many
(the handshake caps how many checks wait at once instead), and a success does not clear them,
so one valid password cannot launder a source's guesses. After
``free`` failures a key is blocked for ``base * 2**(failures - free)`` seconds from its last
failure, at most ``longest``; attempts while blocked are refused without any work and do not
count, so a charger retrying with an old password is not locked out forever. Keys quiet for
twice ``longest`` are forgotten, and at most ``max_keys`` are kept (oldest first), so a flood
of made-up ids or addresses cannot grow the table. Monotonic clock, like the rate limits."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class AuthThrottle:
    def __init__(self, free: int, base: float, longest: float, max_keys: int = 100_000) -> None:
        self.free = free
        self.base = base
        self.longest = longest
        self.max_keys = max_keys
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str, now: float | None = None) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        entry = self._keys.get(key)
        if entry is None or entry.count < self.free:
            return 0.0
        backoff = min(self.longest, self.base * 2.0 ** (entry.count - self.free))
        return max(0.0, entry.last + backoff - now)

    def fail(self, key: str, now: float | None = None) -> None:
        """One failure of ``key`` (for an id: a check that starts, until :meth:`success`)."""
        now = time.monotonic() if now is None else now
        entry = self._keys.pop(key, None)
        self._keys[key] = _Failures(entry.count + 1 if entry else 1, now)  # newest last
        self._forget(now)

    def success(self, key: str) -> None:
        self._keys.pop(key, None)

    def __len__(self) -> int:
        return len(self._keys)

    def _forget(self, now: float) -> None:
        keys = self._keys
        while keys:
            entry = next(iter(keys.values()))
            if len(keys) <= self.max_keys and now - entry.last < 2 * self.longest:
                break
            keys.popitem(last=False)
