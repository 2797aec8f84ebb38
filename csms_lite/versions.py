"""The OCPP versions the CSMS speaks, one record each, chosen once: by subprotocol when a charger
connects, by name (as the lake, the live state and the broker spell it) when a command is built
for a charger elsewhere. Code downstream reads the record's fields instead of comparing version
strings, so adding a version is adding a record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from csms_lite.commands import v16 as commands_v16
from csms_lite.commands import v201 as commands_v201
from csms_lite.commands.params import Command
from csms_lite.handlers import v16 as handlers_v16
from csms_lite.handlers import v201 as handlers_v201
from csms_lite.handlers.context import Handler
from csms_lite.rpc.errors import SPELLING_V2, SPELLING_V16
from csms_lite.security import handlers as security_handlers

# Each version's CALL handlers, the security extension's included (csms_lite.security).
HANDLERS_V16 = {**handlers_v16.HANDLERS, **security_handlers.V16}
HANDLERS_V201 = {**handlers_v201.HANDLERS, **security_handlers.V201}


# eq=False: compared and hashed by identity, so a record is a cheap key for the schema caches.
@dataclass(frozen=True, eq=False)
class Version:
    name: str  # "1.6"
    subprotocol: str  # "ocpp1.6" (Sec-WebSocket-Protocol)
    handlers: Mapping[str, Handler]  # the CALLs a charger sends, by action
    commands: Mapping[str, Command]  # version-neutral command -> its params and this CALL
    schema_dir: str  # the ocpp package's folder of this version's JSON schemas
    request_suffix: str  # "BootNotification" + this = the request schema's file name
    error_codes: Mapping[str, str]  # CALLERROR code -> this version's spelling
    # 1.6 StartTransaction: the CSMS hands out transaction ids (on a cluster, through the
    # broker); 2.x chargers name their own.
    csms_assigns_transaction_ids: bool

    def __repr__(self) -> str:
        return f"Version({self.name})"


V201 = Version("2.0.1", "ocpp2.0.1", HANDLERS_V201, commands_v201.COMMANDS, "v201",
               "Request", SPELLING_V2, csms_assigns_transaction_ids=False)
V16 = Version("1.6", "ocpp1.6", HANDLERS_V16, commands_v16.COMMANDS, "v16", "",
              SPELLING_V16, csms_assigns_transaction_ids=True)
# 2.1 is answered as 2.0.1 (its messages are a superset), validated against its own schemas.
V21 = Version("2.1", "ocpp2.1", HANDLERS_V201, commands_v201.COMMANDS, "v21",
              "Request", SPELLING_V2, csms_assigns_transaction_ids=False)

VERSIONS: tuple[Version, ...] = (V201, V16, V21)
"""In order of preference when a charger offers several subprotocols."""
SUBPROTOCOLS: tuple[str, ...] = tuple(v.subprotocol for v in VERSIONS)
BY_SUBPROTOCOL: Mapping[str, Version] = {v.subprotocol: v for v in VERSIONS}
BY_NAME: Mapping[str, Version] = {v.name: v for v in VERSIONS}
# A charger this node has never seen connected: commands for it are built as for 1.6.
FALLBACK = V16


def named(name: str) -> Version:
    """The record for a version name; ``""`` (never connected) gives :data:`FALLBACK`."""
    return BY_NAME[name] if name else FALLBACK
