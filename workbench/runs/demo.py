"""``cpo demo``: the whole product end to end on embedded data, in one process, then live.

A simulated network (sites, AC/DC chargers on OCPP 1.6J and 2.0.1, drivers of several partners,
faults at a multiple of a real network's fitted rate) runs through a real CSMS over real
WebSockets on a simulated clock, with the self-healing loop acting through the CSMS's HTTP API
from the first hour:

1. history: ``days`` simulated as fast as the machine allows;
2. the lake and the simulator's truth read back with DuckDB;
3. the KPI pipelines build the warehouse (the fault model scores it); headline KPIs; the
   dashboard starts, wired to the CSMS's API;
4. live: the fleet keeps running at ``speed`` simulated seconds per second, the warehouse is
   refreshed every ``refresh_min`` simulated minutes, the model scores, self-healing acts, and
   the dashboard follows; ``live_minutes`` bounds it (None: until Ctrl-C).

The closing summary gives the KPIs and the loop's figures.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from csms_lite.api.token import DASHBOARD, part_token
from ingest.data_folder import DataFolder
from ingest.errors import IngestError
from ingest.sim.context import SimSettings
from ingest.sim.profile import load_default
from models.healing.loop import scores_from
from models.healing.policy import PolicyConfig
from pipelines.errors import PipelineError
from pipelines.warehouse.layout import Layout
from workbench.runs.demo_operator import DemoOperator, Say
from workbench.runs.kpi_summary import kpi_lines
from workbench.runs.lake_summary import summarize, truth_summary
from workbench.runs.live_phase import Pacer, WarehouseRefresh, run_pipelines_child
from workbench.runs.loop_summary import loop_lines
from workbench.runs.replay import run_async
from workbench.runs.sim_csms import SimCsms
from workbench.runs.sim_healing import SimClockHealing
from workbench.runs.simulate import SimulateJob, simulate

MARKER = ".cpo-demo.json"  # what the demo ran; only a folder holding it is ever wiped
DAY = 86400.0
HEAL_EVERY_S = 600.0  # simulated seconds between self-healing passes
UNTIL_STOPPED_DAYS = 365.0  # a live phase "until Ctrl-C" is simulated this far at most
# Serves the dashboard on (data folder, CSMS API URL, its API token); the caller stops it.
Serve = Callable[[Path, str, str], subprocess.Popen[bytes]]


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path
    sites: int = 8
    chargers: int = 60
    days: float = 30.0  # the history
    seed: int = 7
    faults: float = 6.0  # x the fitted fault rate: a bad year, so the loop has work to show
    live_minutes: float | None = None  # wall minutes of the live phase; None: until Ctrl-C
    speed: float = 60.0  # simulated seconds per wall second in the live phase
    refresh_min: float = 30.0  # simulated minutes between warehouse refreshes
    reuse: bool = False  # keep a finished demo with the same options instead of re-running


def demo(opts: DemoOptions, say: Say,
         serve: Serve | None = None) -> subprocess.Popen[bytes] | None:
    """Run the demo; ``serve`` (if given) starts the dashboard once the warehouse exists.

    Returns the dashboard, still serving, when the live phase ended on its own (the caller
    stops it); after a Ctrl-C or an error it is already stopped.
    """
    started = time.perf_counter()
    if opts.reuse and _finished(opts):
        say(f"[1/3] reusing the finished demo in {opts.data_dir} (same options; no live phase)")
        _read_back(opts, say, "[2/3]")
        say("[3/3] The headline KPIs of its warehouse")
        for line in kpi_lines(opts.data_dir) + loop_lines(opts.data_dir):
            say("  " + line)
        return None
    _fresh_folder(opts.data_dir)
    say(
        f"[1/4] {opts.days:g} days of a {opts.sites}-site, {opts.chargers}-charger network "
        f"through a CSMS on a simulated clock, into {opts.data_dir}; faults at {opts.faults:g}x "
        "the county network's fitted rate (a bad year); self-healing on"
    )
    live = DemoLoop(opts, say, serve)
    try:
        stopped_early = run_async(live.run())
        if live.live:  # stopped during the history: nothing was built
            say("closing summary: the warehouse rebuilt from the whole lake")
            _build(opts.data_dir, say, "")
            for line in kpi_lines(opts.data_dir) + loop_lines(opts.data_dir):
                say("  " + line)
    except BaseException:
        live.stop_dashboard()
        raise
    (opts.data_dir / MARKER).write_text(json.dumps(_key(opts)))
    say(f"done in {time.perf_counter() - started:,.1f} s. Next: cpo up --data-dir "
        f"{opts.data_dir} (the product on this folder, for real chargers), cpo pipelines ui "
        f"--data-dir {opts.data_dir} (the asset graph)")
    if stopped_early:
        live.stop_dashboard()
        return None
    return live.dashboard


class DemoLoop:
    """The simulation's ``During`` hook, and the phases around it."""

    def __init__(self, opts: DemoOptions, say: Say, serve: Serve | None) -> None:
        self.opts, self.say, self.serve = opts, say, serve
        start = SimSettings(data_dir=opts.data_dir).start
        self.history_end = start + opts.days * DAY
        self.operator = DemoOperator(start, say)
        predictions = Layout(opts.data_dir.resolve()).mart_file("predictions")
        self.healing = SimClockHealing(PolicyConfig(), HEAL_EVERY_S, scores_from(predictions))
        self.pacer = Pacer(self.history_end, opts.speed)
        self.refresh = WarehouseRefresh(opts.data_dir, opts.refresh_min * 60.0, self._live_say)
        self.dashboard: subprocess.Popen[bytes] | None = None
        self.live = False

    def settings(self) -> SimSettings:
        o = self.opts
        live_days = (UNTIL_STOPPED_DAYS if o.live_minutes is None
                     else o.live_minutes * 60.0 * o.speed / DAY)
        return SimSettings(data_dir=o.data_dir, sites=o.sites, chargers=o.chargers,
                           days=o.days + live_days, seed=o.seed, fault_scale=o.faults)

    async def run(self) -> bool:
        """The simulation with its phases; True if it was stopped (Ctrl-C, SIGTERM)."""
        job = SimulateJob(self.settings(), load_default(), node_id="demo", api=True,
                          during=self)
        task = asyncio.get_running_loop().create_task(simulate(job, self._sim_say))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        stopped = False
        try:
            await task
        except asyncio.CancelledError:
            stopped = True
            self.say("stopped: the fleet and the CSMS are down, the lake is flushed")
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            await self.healing.close()
            await self.refresh.close()
        return stopped

    async def __call__(self, t: float, csms: SimCsms) -> None:
        await self.operator(t, csms)
        await self.healing(t, csms)
        if not self.live and t >= self.history_end:
            await self._go_live(t, csms)
        if self.live:
            await self.pacer(t)
            await self.refresh.maybe(t, csms)

    async def _go_live(self, t: float, csms: SimCsms) -> None:
        self.live = True
        await asyncio.to_thread(csms.server.writer.flush)
        _read_back(self.opts, self.say, "[2/4]")
        self.say("[3/4] KPI pipelines (Dagster assets, DuckDB warehouse; the fault model "
                 "scores it), then the headline KPIs")
        if not await run_pipelines_child(self.opts.data_dir, progress=self._indented):
            raise PipelineError(f"pipelines failed; see `cpo pipelines run --data-dir "
                                f"{self.opts.data_dir}`")
        for line in kpi_lines(self.opts.data_dir) + loop_lines(self.opts.data_dir):
            self.say("  " + line)
        if self.serve is not None:
            token = part_token(csms.server.registry, self.opts.data_dir, DASHBOARD)
            self.dashboard = self.serve(self.opts.data_dir, csms.api_url, token)
        o = self.opts
        bound = ("until Ctrl-C" if o.live_minutes is None
                 else f"for {o.live_minutes:g} min")
        self.say(f"[4/4] live {bound}: the fleet runs on at {o.speed:g} simulated seconds per "
                 f"second; the warehouse refreshes every {o.refresh_min:g} simulated minutes, "
                 f"self-healing acts every {HEAL_EVERY_S / 60:g}; CSMS API {csms.api_url}")
        self.refresh.next_at = t + self.refresh.every_s
        await self.refresh.start()

    def _indented(self, line: str) -> None:
        self.say("  " + line)

    def _sim_say(self, line: str) -> None:
        # The simulator's progress lines are for the history; in the live phase the refreshes
        # and the loop speak instead.
        if not self.live or not line.startswith("  day "):
            self.say(line)

    def _live_say(self, line: str) -> None:
        journal = self.healing.journal
        sent = [d for d in journal.decisions if d.go]
        tickets = sum(d.action == "ticket" for d in sent)
        self.say(f"{line}; self-healing so far: {len(sent) - tickets} commands sent, "
                 f"{len(journal.outcomes)} outcomes verified, {tickets} maintenance tickets")

    def stop_dashboard(self) -> None:
        if self.dashboard is None:
            return
        self.dashboard.terminate()
        try:
            self.dashboard.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.dashboard.kill()


def _read_back(opts: DemoOptions, say: Say, step: str) -> None:
    say(f"{step} The lake and the simulator's ground truth, read back with DuckDB")
    for line in summarize(DataFolder(opts.data_dir).local_lake) + truth_summary(opts.data_dir):
        say("  " + line)


def _build(data_dir: Path, say: Say, step: str) -> None:
    from pipelines.launch import run as run_pipelines

    if step:
        say(f"{step} KPI pipelines (Dagster assets, DuckDB warehouse), then the headline KPIs")
    summary = run_pipelines(data_dir, progress=lambda line: say("  " + line))
    if not summary.ok:
        raise PipelineError(
            f"pipelines: failed steps {summary.steps_failed}, failed checks "
            f"{summary.checks_failed}; see `cpo pipelines ui --data-dir {data_dir}`"
        )


def _key(opts: DemoOptions) -> dict[str, object]:
    return {k: v for k, v in asdict(opts).items() if k not in ("data_dir", "reuse")}


def _finished(opts: DemoOptions) -> bool:
    marker = opts.data_dir / MARKER
    try:
        return bool(json.loads(marker.read_text()) == _key(opts))
    except (OSError, ValueError):
        return False


def _fresh_folder(folder: Path) -> None:
    """Empty the folder, but only if it is a demo's (or empty): never someone's own data."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise IngestError(
                f"{folder} is not empty and was not written by cpo demo; give "
                "another --data-dir (the demo replaces its folder's contents)"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
