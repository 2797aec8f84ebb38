"""The steps of ``cpo replay``: read the file, replay it through a CSMS, reconcile the lake."""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.replay import prices, replay_log
from ingest.replay.acn import read_acn
from ingest.replay.csv_reader import CsvMapping, read_csv
from ingest.replay.driver import ReplayRun, ReplaySettings, drive
from ingest.replay.errors import ReplayError, ReplayRejectedError
from ingest.replay.heartbeats import heartbeat_events
from ingest.replay.landing import part_files
from ingest.replay.outages import Outage, outage_events, read_outages
from ingest.replay.plan import Plan, build_plan, with_events
from ingest.replay.reconcile import Reconciliation, file_totals, lake_totals, revenue_lines
from ingest.replay.row_checks import CheckRules, ConnectorCounts
from ingest.replay.row_report import issue_lines, stop_message, summary
from ingest.replay.session import ReadResult, ReplaySession
from workbench.runs import replay_landing
from workbench.runs.replay_registry import register
from workbench.runs.sim_csms import SimCsms

T = TypeVar("T")
Say = Callable[[str], None]


class BadRows(enum.StrEnum):
    """``--on-bad-row``: what a row that cannot be replayed does to the replay."""

    stop = "stop"  # nothing is sent; the reasons are printed
    skip = "skip"  # the other rows are replayed; the skipped ones are counted


class IfLakeHolds(enum.StrEnum):
    """What a replay does to a lake that already holds data."""

    REFUSE = "refuse"
    APPEND = "append"  # adds its sessions; the reconciliation covers every replay landed
    REPLACE = "replace"  # the old lake and warehouse go once the new replay has run


@dataclass(frozen=True)
class ReplayJob:
    file: Path
    format: str  # "acn" or "csv"
    mapping: CsvMapping  # used for csv only
    settings: ReplaySettings
    limit: int | None = None
    outages: Path | None = None  # CSV of down windows (ingest.replay.outages)
    rules: CheckRules = field(default_factory=CheckRules)
    on_bad_row: BadRows = BadRows.stop
    if_lake_holds: IfLakeHolds = IfLakeHolds.REFUSE


def read(job: ReplayJob) -> ReadResult:
    if job.format == "acn":
        return read_acn(job.file, job.rules, job.mapping.timezone)
    return read_csv(job.file, job.mapping, job.rules)


def run_job(job: ReplayJob, out: Say, err: Say) -> bool:
    """Check, replay and reconcile; True when the lake gives back what the files hold."""
    folder = DataFolder(job.settings.data_dir)
    history = _check_lake(folder, job.if_lake_holds)
    outages = read_outages(job.outages) if job.outages is not None else []
    result = read(job)
    out(read_line(result))
    if result.issues:
        for line in issue_lines(result.issues):
            err(line)
        if job.on_bad_row is BadRows.stop:
            raise ReplayError(stop_message(result))
    sessions = result.limited(job.limit).sessions
    if job.limit is not None:
        out(f"replaying the first {len(sessions):,} (--limit {job.limit})")
    try:
        with replay_landing.staged(folder) as stage:
            settings = replace(job.settings, data_dir=stage.data_dir)
            run = run_async(replay(sessions, settings, err, outages, job.rules.connectors))
            if job.mapping.price is not None:
                prices.write(stage.replay_prices, run.node_id, prices.table(
                    sessions, run.transactions, job.mapping.currency, run.node_id))
            replay_landing.land(stage, folder, job.if_lake_holds is IfLakeHolds.REPLACE)
    except ReplayRejectedError as exc:
        raise ReplayError(f"{exc}; nothing was written to {folder.local_lake}") from None
    out(run_line(run))
    mine = file_totals(sessions)
    history = [] if job.if_lake_holds is IfLakeHolds.REPLACE else history
    landed_at = datetime.now(UTC).isoformat(timespec="seconds")
    replay_log.append_log(folder.replay_log,
                          replay_log.entry(job.file, run.node_id, landed_at, mine))
    if history:
        out(f"reconciling the whole lake: {len(history) + 1} replays")
    rec = Reconciliation(replay_log.merged([*(h.totals for h in history), mine]),
                         lake_totals(folder.local_lake,
                                     [*(h.node_id for h in history), run.node_id]))
    lines, ok = rec.lines(), rec.ok
    if job.mapping.price is not None:
        money, paid = revenue_lines(sessions, prices.totals(folder.replay_prices, [run.node_id]),
                                    job.mapping.currency)
        lines[-1:-1] = money  # above the verdict
        ok = ok and paid
    for line in lines:
        out(line)
    return ok


def _check_lake(folder: DataFolder, policy: IfLakeHolds) -> list[replay_log.LoggedReplay]:
    """The replays already landed; refuses a lake holding data unless told what to do."""
    history = replay_log.read_log(folder.replay_log)
    files = part_files(folder.local_lake)
    if not files or policy is not IfLakeHolds.REFUSE:
        return history
    held = (f"{len(history)} replay{'' if len(history) == 1 else 's'} (last: "
            f"{history[-1].file}, {history[-1].sessions:,} sessions)" if history
            else f"{len(files):,} part files that no replay wrote")
    raise ReplayError(f"{folder.local_lake} already holds {held}; pass --append to add this "
                      "file's sessions to it, --replace to replace it (and its warehouse), or "
                      "give another --data-dir")


async def replay(
    sessions: Sequence[ReplaySession], settings: ReplaySettings, say: Say,
    outages: Sequence[Outage] = (), connectors: ConnectorCounts | None = None,
) -> ReplayRun:
    """Replay ``sessions`` (in replay order) into ``settings.data_dir`` through an in-process
    CSMS on a manual clock that follows the plan's historical times; the lake is flushed.
    ``outages``: down windows to replay as charger-level status calls.

    The CSMS runs with no rate limit (its bucket runs on real time, and a replay is far faster
    than real time), and with its offline watchdog and pings off: it sweeps on real time, and
    historical time jumps by hours between two calls. Stations are kept online on the
    historical clock by heartbeats instead (``settings.assume_online``).
    """
    plan = build_plan(sessions, settings.meter_interval_s)
    if not plan.events:
        raise ReplayError("no sessions to replay (the file has none, or all were skipped)")
    if connectors is not None and connectors.declared:  # every declared port is a port
        plan = replace(plan, connectors={st: max(n, connectors.of(st))
                                         for st, n in plan.connectors.items()})
    # The replay names a rejected call itself (ingest.replay.errors); ocpp's raw log is noise.
    logging.getLogger("ocpp").setLevel(logging.ERROR)
    plan, n_outages = _add_outages(plan, outages, len(sessions), say)
    n_heartbeats = 0
    if settings.assume_online:
        beats = heartbeat_events(plan.events, plan.connectors, plan.events[0].at,
                                 plan.events[-1].at, settings.heartbeat_interval_s,
                                 len(sessions) + 1)
        plan, n_heartbeats = with_events(plan, beats), len(beats)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with Registry(DataFolder(settings.data_dir).registry_file) as registry:
        register(registry, plan, settings.partner, settings.heartbeat_interval_s)
    node_id = f"replay-{secrets.token_hex(4)}"  # a fresh node: this run's rows, and only them
    csms = SimCsms(settings.data_dir, node_id, plan.events[0].at)
    await csms.start()
    started = time.perf_counter()
    try:
        calls, transactions = await drive(csms.url, plan, csms.clock.set, settings, say)
    finally:
        await csms.stop()
    return ReplayRun(
        node_id,
        len(sessions),
        len(plan.connectors),
        calls,
        n_heartbeats,
        n_outages,
        time.perf_counter() - started,
        plan.events[0].at,
        plan.events[-1].at,
        transactions,
    )


def _add_outages(plan: Plan, outages: Sequence[Outage], session: int,
                 say: Say) -> tuple[Plan, int]:
    if not outages:
        return plan, 0
    events, skipped = outage_events(outages, plan.connectors, plan.events[0].at,
                                    plan.events[-1].at, session)
    if skipped:
        why = ", ".join(f"{k} x{v}" for k, v in sorted(skipped.items()))
        say(f"outage file: skipped {sum(skipped.values()):,} windows ({why})")
    return with_events(plan, events), len(events) // 2


def read_line(result: ReadResult) -> str:
    stations = len({s.station for s in result.sessions})
    return (
        f"read {_n(len(result.sessions), 'session')} on {_n(stations, 'station')} from "
        f"{result.path}; {summary(result)}"
    )


def run_line(run: ReplayRun) -> str:
    first, last = (datetime.fromtimestamp(t, UTC).date() for t in (run.first_at, run.last_at))
    return (
        f"replayed {_n(run.sessions, 'session')} on {_n(run.stations, 'station')} ({first} to "
        f"{last}): {run.calls:,} OCPP calls in {run.wall_s:.1f} s, "
        f"{run.calls_per_s:,.0f} calls/s; CSMS node {run.node_id}"
    ) + _online_note(run)


def _online_note(run: ReplayRun) -> str:
    down = f", {_n(run.outages, 'outage window')} replayed" if run.outages else ""
    if run.heartbeats:
        return f"\n{_n(run.heartbeats, 'heartbeat')} of them kept quiet stations online{down}"
    return f"\nno heartbeats added (quiet stations are offline after their silence){down}"


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """With uvloop when installed (it is a dependency on Linux/macOS)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(coro)
    result: T = uvloop.run(coro)
    return result
