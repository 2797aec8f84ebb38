"""The one client of the CSMS HTTP API (``csms_lite.api.http``): sync (stdlib urllib) and async
(aiohttp), sharing one description of the exchanges (:mod:`wire`). It imports no server code,
so ``dashboard`` and ``models`` may use it without depending on the rest of ``csms_lite``."""

from csms_lite.client.aio import AsyncCsmsClient, AsyncTransport
from csms_lite.client.answers import OUTCOME_OF_STATUS, CommandAnswer
from csms_lite.client.errors import BadAnswer, ClientError, NoToken, Refused, Unreachable
from csms_lite.client.sync import CsmsClient, Transport
from csms_lite.client.token import read_token
from csms_lite.client.wire import HttpReply, HttpRequest

__all__ = [
    "OUTCOME_OF_STATUS",
    "AsyncCsmsClient",
    "AsyncTransport",
    "BadAnswer",
    "ClientError",
    "CommandAnswer",
    "CsmsClient",
    "HttpReply",
    "HttpRequest",
    "NoToken",
    "Refused",
    "Transport",
    "Unreachable",
    "read_token",
]
