"""What a CSMS node shares with the other nodes, as the hub sees it.

The hub calls a :class:`Broker` at a few points of a charger's life: when it attaches (claim it,
load its open transactions), when its transactions change, before a 1.6 StartTransaction is
answered (a transaction id unique across nodes), when it detaches, and when a command is asked
for a charger this node does not hold (forward it to the node that does). The broker calls the
hub back through :class:`NodeView` to know what this node holds and to run commands that other
nodes forwarded.

Rules every broker keeps: nothing here may stop a node from serving its own chargers (a broker
that is away is logged and skipped); fire-and-forget methods never raise and never block.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.handlers.context import CallContext
from csms_lite.state import ChargerState

if TYPE_CHECKING:
    from csms_lite.versions import Version

# CALLs after which a charger's open transactions may have changed (1.6 StatusNotification
# carries the charging state of the connector's transaction).
TRANSACTION_ACTIONS = frozenset({
    "StartTransaction", "StopTransaction", "StatusNotification", "TransactionEvent",
})

# Work done before a CALL is answered, awaited by the connection (e.g. allocate a transaction id).
Prepare = Callable[[CallContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Presence:
    """Where a charger is connected: node, connection and OCPP version."""

    node_id: str
    connection_id: str
    version: str


@dataclass(frozen=True, slots=True)
class Held:
    """One charger this node holds a connection for."""

    state: ChargerState
    connection_id: str
    version: str


class NodeView(Protocol):
    """What a broker may ask of the node's hub."""

    def held(self) -> list[Held]:
        """Every charger connected to this node now."""
        ...

    async def run_forwarded(self, req: CommandRequest, requested_at: float) -> CommandResult:
        """Run a command another node forwarded; that node writes its ``commands`` row."""
        ...


class Broker(Protocol):
    kind: str  # "local", "redis"

    async def start(self, view: NodeView) -> None:
        """Connect; raise :class:`csms_lite.errors.BrokerError` if the broker is unusable."""
        ...

    async def stop(self) -> None:
        """Write what is queued (best effort) and disconnect."""
        ...

    async def attached(self, state: ChargerState, connection_id: str, version: str) -> None:
        """A charger connected here: claim it, and load the open transactions it began on any
        node into ``state`` before its first frame is read."""
        ...

    def released(self, cp_id: str, connection_id: str) -> None:
        """A charger's connection here ended (only that connection's claim is dropped)."""
        ...

    def transactions_changed(self, state: ChargerState) -> None:
        """Share the charger's open transactions as they are now."""
        ...

    def preparers(self, version: Version) -> dict[str, Prepare]:
        """Actions of this OCPP version that need the broker before they are answered."""
        ...

    async def locate(self, cp_id: str) -> Presence | None:
        """The node holding ``cp_id``, if any node does (None for an unknown or offline one)."""
        ...

    async def forward(self, req: CommandRequest, requested_at: float) -> CommandResult | None:
        """Run a command on the node that holds the charger and return its result; None when
        no other node holds it."""
        ...

    def status(self) -> dict[str, Any]:
        """For the health endpoint."""
        ...
