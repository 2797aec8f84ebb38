"""What a simulated charger decides when the CSMS commands it. The protocol classes answer with
these decisions; a fleet agent supplies its own (faults, sessions, reboots), and without one a
charger answers like a healthy idle unit."""

from __future__ import annotations

from typing import Protocol


class CommandAnswers(Protocol):
    def reset(self, hard: bool) -> str:
        """Accepted, Rejected or (2.0.1 OnIdle while busy) Scheduled."""
        ...

    def remote_start(self, connector: int | None, id_tag: str) -> str: ...

    def remote_stop(self, transaction_id: str) -> str: ...

    def change_availability(self, connector: int, operative: bool) -> str: ...

    def trigger(self, message: str, connector: int | None) -> str: ...

    def unlock(self, connector: int) -> str:
        """Unlocked or UnlockFailed."""
        ...
