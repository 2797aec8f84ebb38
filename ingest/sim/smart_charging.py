"""Charging profiles as a simulated charger keeps and obeys them (OCPP 1.6 section 3.13 and
2.0.1 K01-K08, in the subset a CSMS's energy manager uses).

A profile has a purpose (the charger-wide maximum ``ChargePointMaxProfile`` / 2.0.1
``ChargingStationMaxProfile``, the default for every transaction ``TxDefaultProfile``, and
the one for the running transaction ``TxProfile``), a stack level (within a purpose the highest
level valid at a moment wins), an optional validity window (``validFrom``/``validTo``: a
profile past its ``validTo`` no longer applies, so a short-lived TxProfile falls back to the
TxDefaultProfile underneath when nobody renews it), and a schedule of periods with limits in A
or W. The limit at a moment on a connector is the minimum of the charger-wide maximum and the
transaction's profile (TxProfile while a transaction runs and has one, else the connector's own
TxDefaultProfile, else connector 0's).

Payloads arrive from the ``ocpp`` package with snake_case keys (it converts them), and a
1.6 schedule is one object where a 2.0.1 schedule is a list of them: ``_get`` reads both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_PURPOSES = ("ChargePointMaxProfile", "ChargingStationMaxProfile")
VOLTS = 230.0  # phase voltage for limits in A
DEFAULT_PHASES = 3
_RECUR_S = {"Daily": 86_400.0, "Weekly": 604_800.0}


def _get(d: dict[str, Any], snake: str, camel: str, default: Any = None) -> Any:
    return d.get(snake, d.get(camel, default))


def _epoch(text: Any) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class Profile:
    id: int
    connector: int
    purpose: str
    stack: int
    start: float  # when the schedule's first period starts (epoch s)
    valid_from: float | None
    valid_to: float | None
    duration_s: float | None
    recur_s: float | None
    periods: tuple[tuple[float, float], ...]  # (start offset s, limit W), sorted
    transaction_id: str | None

    def limit_w(self, t: float) -> float | None:
        """This profile's limit at ``t``, or None when it does not apply then."""
        if (self.valid_from is not None and t < self.valid_from) or (
                self.valid_to is not None and t >= self.valid_to):
            return None
        offset = t - self.start
        if self.recur_s:
            offset %= self.recur_s
        if offset < 0 or (self.duration_s is not None and offset >= self.duration_s):
            return None
        return next(limit for at, limit in reversed(self.periods) if at <= offset)

    def edges(self) -> list[float]:
        """Moments where this profile's limit may change (for a composite schedule)."""
        out = [self.start + at for at, _ in self.periods]
        out += [x for x in (self.valid_from, self.valid_to) if x is not None]
        if self.duration_s is not None:
            out.append(self.start + self.duration_s)
        return out


def parse_profile(raw: dict[str, Any], connector: int, now: float,
                  tx_started: float | None) -> Profile:
    schedule = _get(raw, "charging_schedule", "chargingSchedule")
    if isinstance(schedule, list):  # 2.0.1: one or more schedules; the first is the one used
        schedule = schedule[0]
    unit = _get(schedule, "charging_rate_unit", "chargingRateUnit")
    periods = []
    for p in _get(schedule, "charging_schedule_period", "chargingSchedulePeriod"):
        limit = float(p["limit"])
        phases = int(_get(p, "number_phases", "numberPhases", DEFAULT_PHASES))
        watts = limit if unit == "W" else limit * VOLTS * phases
        periods.append((float(_get(p, "start_period", "startPeriod")), watts))
    kind = _get(raw, "charging_profile_kind", "chargingProfileKind")
    start = _epoch(_get(schedule, "start_schedule", "startSchedule"))
    if kind == "Relative" or start is None:
        start = tx_started if tx_started is not None else now
    duration = _get(schedule, "duration", "duration")
    tx = _get(raw, "transaction_id", "transactionId")
    return Profile(
        id=int(_get(raw, "charging_profile_id", "chargingProfileId", raw.get("id", 0))),
        connector=connector,
        purpose=str(_get(raw, "charging_profile_purpose", "chargingProfilePurpose")),
        stack=int(_get(raw, "stack_level", "stackLevel", 0)),
        start=start,
        valid_from=_epoch(_get(raw, "valid_from", "validFrom")),
        valid_to=_epoch(_get(raw, "valid_to", "validTo")),
        duration_s=None if duration is None else float(duration),
        recur_s=_RECUR_S.get(str(_get(raw, "recurrency_kind", "recurrencyKind", ""))),
        periods=tuple(sorted(periods)),
        transaction_id=None if tx is None else str(tx),
    )


class ProfileStore:
    """The profiles one charger holds, by id."""

    def __init__(self) -> None:
        self.profiles: dict[int, Profile] = {}

    def install(self, profile: Profile, has_tx: bool) -> str:
        """Accepted or Rejected (a TxProfile needs a running transaction; a maximum profile
        belongs to connector 0)."""
        if profile.purpose == "TxProfile" and not has_tx:
            return "Rejected"
        if profile.purpose in MAX_PURPOSES and profile.connector != 0:
            return "Rejected"
        for pid, old in list(self.profiles.items()):  # same slot: the new one replaces it
            if (old.connector, old.purpose, old.stack) == (
                    profile.connector, profile.purpose, profile.stack):
                del self.profiles[pid]
        self.profiles[profile.id] = profile
        return "Accepted"

    def clear(self, profile_id: int | None = None, connector: int | None = None,
              purpose: str | None = None, stack: int | None = None) -> int:
        gone = [p.id for p in self.profiles.values()
                if (profile_id is None or p.id == profile_id)
                and (connector is None or p.connector == connector)
                and (purpose is None or p.purpose == purpose)
                and (stack is None or p.stack == stack)]
        for pid in gone:
            del self.profiles[pid]
        return len(gone)

    def end_transaction(self, connector: int) -> None:
        """A TxProfile lives as long as its transaction."""
        self.clear(connector=connector, purpose="TxProfile")

    def _top(self, purposes: tuple[str, ...], connector: int, t: float) -> float | None:
        best: tuple[int, float] | None = None
        for p in self.profiles.values():
            if p.purpose in purposes and p.connector == connector:
                limit = p.limit_w(t)
                if limit is not None and (best is None or p.stack > best[0]):
                    best = (p.stack, limit)
        return None if best is None else best[1]

    def limit_w(self, connector: int, t: float, has_tx: bool) -> float:
        """The connector's limit at ``t`` in W (``inf``: no profile limits it)."""
        tx = self._top(("TxProfile",), connector, t) if has_tx else None
        if tx is None:
            tx = self._top(("TxDefaultProfile",), connector, t)
        if tx is None:
            tx = self._top(("TxDefaultProfile",), 0, t)
        cap = self._top(MAX_PURPOSES, 0, t)
        return min(x for x in (tx, cap, math.inf) if x is not None)

    def composite(self, connector: int, start: float, duration_s: float,
                  has_tx: bool, rating_w: float) -> list[tuple[float, float]]:
        """(offset s, limit W) periods from ``start`` for ``duration_s``, the limit never above
        the charger's rating; a period starts only where the limit changes."""
        edges = sorted({start, *(e for p in self.profiles.values() for e in p.edges()
                                 if start < e < start + duration_s)})
        out: list[tuple[float, float]] = []
        for edge in edges:
            limit = min(self.limit_w(connector, edge, has_tx), rating_w)
            if not out or not math.isclose(out[-1][1], limit):
                out.append((round(edge - start), limit))
        return out
