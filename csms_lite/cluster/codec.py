"""The text that goes through the broker: presence values, open transactions, forwarded
commands and their results. JSON (orjson) everywhere but presence, a short ``a|b|c`` string
(node ids and connection ids never hold ``|``)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import orjson

from csms_lite.cluster.broker import Presence
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.state import TransactionState

_TX_FIELDS = tuple(f.name for f in fields(TransactionState) if f.name != "transaction_id")
_RESULT_FIELDS = tuple(f.name for f in fields(CommandResult) if f.name != "extra")


class CodecError(ValueError):
    """Text from the broker that this node cannot read (another version, or damaged)."""


def presence_value(node_id: str, connection_id: str, version: str) -> str:
    return f"{node_id}|{connection_id}|{version}"


def read_presence(value: str | bytes | None) -> Presence | None:
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    parts = text.split("|")
    if len(parts) != 3:
        raise CodecError(f"not a presence value: {text!r}")
    return Presence(*parts)


def transaction_json(tx: TransactionState) -> str:
    """A transaction without its id (the id is the hash field it is stored under)."""
    row = asdict(tx)
    del row["transaction_id"]
    return orjson.dumps(row).decode()


def read_transaction(tx_id: str, text: str | bytes) -> TransactionState:
    try:
        row = orjson.loads(text)
        return TransactionState(tx_id, **{k: row[k] for k in _TX_FIELDS if k in row})
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise CodecError(f"transaction {tx_id}: {exc}") from None


def transactions_args(txs: dict[str, TransactionState]) -> list[str]:
    """``[id1, json1, id2, json2, ...]`` for HSET."""
    out: list[str] = []
    for tx_id, tx in txs.items():
        out += [tx_id, transaction_json(tx)]
    return out


def command_message(msg_id: str, reply_to: str, req: CommandRequest, requested_at: float) -> str:
    return orjson.dumps({
        "id": msg_id, "reply_to": reply_to, "requested_at": requested_at,
        "request": asdict(req),
    }).decode()


def read_command(text: str | bytes) -> tuple[str, str, CommandRequest, float]:
    """(message id, node to reply to, request, requested_at)."""
    try:
        msg = orjson.loads(text)
        return (str(msg["id"]), str(msg["reply_to"]), CommandRequest(**msg["request"]),
                float(msg["requested_at"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"not a forwarded command: {exc}") from None


def reply_message(msg_id: str, result: CommandResult) -> str:
    return orjson.dumps({"id": msg_id,
                         "result": {k: getattr(result, k) for k in _RESULT_FIELDS}}).decode()


def read_reply(text: str | bytes) -> tuple[str, CommandResult]:
    try:
        msg = orjson.loads(text)
        result: dict[str, Any] = msg["result"]
        return str(msg["id"]), CommandResult(**{k: result[k] for k in _RESULT_FIELDS
                                                if k in result})
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise CodecError(f"not a command reply: {exc}") from None
