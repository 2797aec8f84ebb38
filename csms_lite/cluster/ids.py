"""A block of OCPP 1.6 transaction ids a node takes from the broker's counter in advance, so
it can still start transactions, with ids no other node will hand out, while the broker is away.
"""

from __future__ import annotations


class IdReserve:
    def __init__(self, size: int) -> None:
        self.size = size
        self._next = 0
        self._end = 0  # exclusive

    def fill(self, last: int) -> None:
        """The counter was raised to ``last`` for us: ids ``last - size + 1 .. last`` are ours."""
        self._next, self._end = last - self.size + 1, last + 1

    def take(self) -> int | None:
        """An id of the block, or None when it is used up."""
        if self._next >= self._end:
            return None
        tx_id = self._next
        self._next += 1
        return tx_id

    @property
    def left(self) -> int:
        return self._end - self._next

    @property
    def low(self) -> bool:
        """Worth refilling (the unused rest of the old block is given up)."""
        return self.left < self.size // 2
