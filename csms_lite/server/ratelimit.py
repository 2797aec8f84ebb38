"""Flood limits of one charge point: token buckets for its frames and their bytes, and a strike
meter that decides when a charger over the limit is closed. They run on the monotonic clock, not
the CSMS clock, because simulated time may jump."""

from __future__ import annotations

import time

from csms_lite.config import CsmsConfig


class TokenBucket:
    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._last = time.monotonic()

    def take(self, amount: float = 1.0, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= amount:
            self._tokens -= amount
            return True
        return False


class StrikeMeter:
    """Frames over the limit, leaking away at ``close_after / window`` per second. Unlike a count
    of consecutive refusals (reset by every token that refills), a charger steadily above the
    limit fills it: more than ``close_after`` refusals in ``window`` seconds, net, closes it."""

    __slots__ = ("_last", "_level", "close_after", "leak")

    def __init__(self, close_after: int, window: float) -> None:
        self.close_after = close_after
        self.leak = close_after / window
        self._level = 0.0
        self._last = time.monotonic()

    def strike(self, now: float) -> bool:
        """Count one refusal; True once the meter is full (close the link)."""
        self._level = max(0.0, self._level - (now - self._last) * self.leak) + 1.0
        self._last = now
        return self._level >= self.close_after


class FrameLimiter:
    """Every frame a charger sends, whatever it is: one frame token and its length in byte
    tokens. Kept per charge point id by the hub, so a reconnect refills nothing."""

    __slots__ = ("bytes", "frames", "strikes")

    def __init__(self, cfg: CsmsConfig) -> None:
        self.frames = TokenBucket(cfg.rate_limit, cfg.rate_burst)
        self.bytes = TokenBucket(cfg.byte_rate, cfg.byte_burst)
        self.strikes = StrikeMeter(cfg.flood_close_after, cfg.flood_window)

    def admit(self, size: int) -> tuple[bool, bool]:
        """(within the limits, close the link now) for one frame of ``size`` bytes."""
        now = time.monotonic()
        ok = self.frames.take(1.0, now)
        # A refused frame costs no byte tokens, or a flood would starve the charger for longer.
        ok = ok and self.bytes.take(size, now)
        if ok:
            return True, False
        return False, self.strikes.strike(now)
