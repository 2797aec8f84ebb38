"""Build the lake rows the CSMS writes (column order of ingest.lake.schemas) and hand them to
the writer. One place knows the column order, so a schema change is a change here."""

from __future__ import annotations

from typing import Any

from csms_lite.commands.request import CommandResult
from csms_lite.commands.secrets import redacted
from ingest.lake.writer import LakeWriter

Row = tuple[str, tuple[Any, ...]]  # (table, row in the table's column order)


# The connection event of a frame the CSMS answered but found suspicious (its reason says why).
FLAGGED = "flagged"


class LakeLog:
    def __init__(self, writer: LakeWriter, node_id: str) -> None:
        self.writer = writer
        self.node_id = node_id

    def message(
        self, at: float, cp_id: str, conn_id: str, direction: str, version: str,
        message_type: int | None, unique_id: str | None, action: str | None,
        payload: Any, *, raw: str | None = None, error_code: str | None = None,
        error_description: str | None = None, latency_ms: float | None = None,
    ) -> Row:
        # A password a command sets never reaches the lake (DESIGN.md: secrets).
        return (
            "ocpp_messages",
            (at, self.node_id, cp_id, conn_id, direction, version, message_type, unique_id,
             action, redacted(action, payload), raw, error_code, error_description, latency_ms),
        )

    def write(self, rows: list[Row]) -> None:
        self.writer.append_many(rows)

    def connection_event(
        self, at: float, cp_id: str | None, conn_id: str | None, event: str, reason: str | None,
        *, subprotocol: str | None = None, remote: str | None = None,
        close_code: int | None = None, http_status: int | None = None,
    ) -> None:
        self.writer.append(
            "connection_events",
            (at, self.node_id, cp_id, conn_id, event, reason, subprotocol, remote, close_code,
             http_status),
        )

    def command(
        self, requested_at: float, result: CommandResult, requested_by: str, reason: str | None,
        sent_at: float | None, answered_at: float | None,
    ) -> None:
        self.writer.append(
            "commands",
            (requested_at, self.node_id, result.command_id, result.charge_point_id, result.action,
             requested_by, reason, redacted(result.action, result.request), sent_at,
             answered_at, result.response, result.status, result.outcome, result.error_code,
             result.latency_ms),
        )
