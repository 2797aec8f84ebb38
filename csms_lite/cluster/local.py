"""The broker of a node that runs alone (no ``--broker``): nothing to share, nobody to ask.

Transaction ids then come from the registry (SQLite), commands reach only this node's chargers,
and the node imports nothing of Redis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csms_lite.cluster.broker import NodeView, Prepare, Presence
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.state import ChargerState

if TYPE_CHECKING:
    from csms_lite.versions import Version


class LocalBroker:
    kind = "local"

    async def start(self, view: NodeView) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def attached(self, state: ChargerState, connection_id: str, version: str) -> None:
        return None

    def released(self, cp_id: str, connection_id: str) -> None:
        return None

    def transactions_changed(self, state: ChargerState) -> None:
        return None

    def preparers(self, version: Version) -> dict[str, Prepare]:
        return {}

    async def locate(self, cp_id: str) -> Presence | None:
        return None

    async def forward(self, req: CommandRequest, requested_at: float) -> CommandResult | None:
        return None

    def status(self) -> dict[str, Any]:
        return {"kind": self.kind}
