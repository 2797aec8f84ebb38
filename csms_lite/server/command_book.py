"""Turns the fate of each remote command into a :class:`CommandResult` and a ``commands`` row."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from csms_lite.clock import Clock
from csms_lite.commands.request import CommandResult
from csms_lite.commands.secrets import redacted
from csms_lite.commands.summary import answer_status
from csms_lite.registry.store import Registry
from csms_lite.rpc import validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.frames import CALLERROR, Frame
from csms_lite.server.lake_log import LakeLog

if TYPE_CHECKING:
    from csms_lite.server.connection import QueuedCommand
    from csms_lite.versions import Version


# An outcome is recorded minutes to hours after its command; callers older than this go.
CALLERS_KEPT_S = 30 * 86400.0
PRUNE_EVERY = 1000  # commands


class CommandBook:
    def __init__(self, lake: LakeLog, clock: Clock, registry: Registry) -> None:
        self.lake = lake
        self.clock = clock
        self.registry = registry
        self._logged = 0

    def failed(
        self, item: QueuedCommand, outcome: str, error_code: str | None,
        description: str | None = None,
    ) -> CommandResult:
        """A command that never reached the charger (offline, invalid, ...)."""
        req = item.request
        result = CommandResult(uuid.uuid4().hex, req.charge_point_id, req.action,
                               redacted(req.action, req.payload), outcome,
                               error_code=error_code, error_description=description)
        self._log(item, result, None, None)
        return result

    def invalid(self, cp_id: str, what: str, requested_by: str, why: str) -> None:
        """A request refused before it became a command (a 400): still a ``commands`` row, so
        the lake has every command asked for. ``what``: the command or action named (nothing
        of its parameters is kept: they were not understood, and may hold a secret)."""
        # why: our own message (an unknown command's lists every known one), bounded anyway
        result = CommandResult(uuid.uuid4().hex, cp_id, what[:64], {}, "invalid",
                               response={"error": why[:2000]}, error_code="InvalidCommand",
                               error_description=why[:2000])
        self.lake.command(self.clock.now(), result, requested_by, None, None, None)

    def finish(
        self, item: QueuedCommand, uid: str, outcome: str, answer: Frame | None,
        sent_at: float, answered_at: float | None, protocol: Version | None = None,
    ) -> CommandResult:
        """``protocol``: the charger's version, needed to check an ``answer``."""
        req = item.request
        result = CommandResult(uid, req.charge_point_id, req.action,
                               redacted(req.action, req.payload), outcome,
                               sent_at=sent_at, answered_at=answered_at)
        if answer is not None and answered_at is not None and protocol is not None:
            result.latency_ms = (answered_at - sent_at) * 1000.0
            self._read_answer(result, answer, protocol)
        self._log(item, result, sent_at, answered_at)
        return result

    def forwarded(self, item: QueuedCommand, result: CommandResult) -> CommandResult:
        """A command another node ran for us (it holds the charger): logged here, once (a
        coalesced one is the row of the command whose answer it shares)."""
        if not result.coalesced:
            self._log(item, result, result.sent_at, result.answered_at)
        return result

    def _read_answer(self, result: CommandResult, answer: Frame, version: Version) -> None:
        result.response = answer.payload
        if answer.message_type == CALLERROR:
            result.outcome = "call_error"
            result.error_code = answer.error_code
            result.error_description = answer.error_description
            return
        try:
            validation.validate(version, result.action, answer.payload, request=False)
        except OcppCallError as exc:  # the charger answered, but not per the schema
            result.outcome = "invalid_response"
            result.error_code = exc.code
            result.error_description = exc.description
        result.status = answer_status(result.action, answer.payload)

    def _log(
        self, item: QueuedCommand, result: CommandResult, sent_at: float | None,
        answered_at: float | None,
    ) -> None:
        if not item.record:  # run for another node, which logs it
            return
        req = item.request
        self.lake.command(item.requested_at, result, req.requested_by, req.reason, sent_at,
                          answered_at)
        # Its caller (and only it) may record the command's outcome later.
        now = self.clock.now()
        self.registry.record_command_caller(result.command_id, req.charge_point_id,
                                            req.requested_by, now)
        self._logged += 1
        if self._logged % PRUNE_EVERY == 0:
            self.registry.forget_command_callers(now - CALLERS_KEPT_S)
