"""The demo's live phase: the simulated clock held to a multiple of wall time, and the
warehouse refreshed from the lake every few simulated minutes while the fleet keeps running
(the pipelines in a child process, so the fleet and the CSMS never wait for them)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder
from workbench.runs.sim_csms import SimCsms

Say = Callable[[str], None]


class Pacer:
    """From ``live_from`` (simulated epoch seconds) on, ``speed`` simulated seconds per wall
    second: a tick that comes early waits; a late one (a busy machine) does not wait."""

    def __init__(self, live_from: float, speed: float) -> None:
        self.live_from, self.speed = live_from, speed
        self._origin: tuple[float, float] | None = None  # (simulated, wall) at the start

    def live(self, t: float) -> bool:
        return t >= self.live_from

    async def __call__(self, t: float) -> None:
        if not self.live(t):
            return
        if self._origin is None:
            self._origin = (t, time.monotonic())
        sim0, wall0 = self._origin
        ahead = (t - sim0) / self.speed - (time.monotonic() - wall0)
        if ahead > 0:
            await asyncio.sleep(ahead)


class WarehouseRefresh:
    """Every ``every_s`` simulated seconds: flush the lake, then ask a resident
    ``cpo pipelines refresh --stdin`` child to refresh from the day before (one at a time; a
    refresh still running when the next is due makes that one wait). The child loads the code
    location once, so a refresh costs its SQL, not a Python start and two Dagster runs."""

    def __init__(self, data_dir: Path, every_s: float, say: Say) -> None:
        self.data_dir, self.every_s, self.say = data_dir, every_s, say
        self.next_at: float | None = None
        self.task: asyncio.Task[None] | None = None
        self.child: asyncio.subprocess.Process | None = None
        self.done = 0
        self.seconds: list[float] = []  # until every mart was published, per refresh

    async def start(self) -> None:
        """Start the child now: it loads while the fleet runs, before the first refresh."""
        logs = DataFolder(self.data_dir).logs
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / "refresh.log").open("ab") as log:
            self.child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "workbench.cli", "pipelines", "refresh", "--data-dir",
                str(self.data_dir), "--stdin", "--json", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=log,
            )

    async def maybe(self, t: float, csms: SimCsms) -> None:
        if self.task is not None and not self.task.done():
            return
        if self.next_at is not None and t < self.next_at:
            return
        self.next_at = t + self.every_s
        await asyncio.to_thread(csms.server.writer.flush)  # the lake holds every row up to t
        day = (datetime.fromtimestamp(t, UTC) - timedelta(days=1)).date().isoformat()
        self.task = asyncio.get_running_loop().create_task(self._build(day, t))

    async def wait(self) -> None:
        if self.task is not None:
            await self.task

    async def close(self) -> None:
        await self.wait()
        child, self.child = self.child, None
        if child is None or child.stdin is None:
            return
        child.stdin.close()  # end of input: the child closes its Dagster instance and exits
        try:
            await asyncio.wait_for(child.wait(), timeout=30)
        except TimeoutError:
            child.kill()

    async def _build(self, first_day: str, t: float) -> None:
        if self.child is None:
            await self.start()
        child = self.child
        if child is None or child.stdin is None or child.stdout is None:
            return
        child.stdin.write(f"{first_day}\n".encode())
        await child.stdin.drain()
        result = await _result(child.stdout)
        at = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")
        if result is None:
            self.say(f"  live: the warehouse refresh stopped (see {self.data_dir}/logs/"
                     "refresh.log)")
            self.child = None
            return
        if not result["ok"]:
            self.say(f"  live: warehouse refresh FAILED: {result['line']}")
            return
        self.done += 1
        self.seconds.append(float(result["fresh_s"]))
        self.say(f"  live: warehouse refreshed with the lake up to {at}Z in "
                 f"{result['fresh_s']:.1f} s ({len(result['days'])} day(s) re-staged, "
                 f"{result['marts']} marts)")


async def _result(stdout: asyncio.StreamReader) -> dict[str, Any] | None:
    """The child's next JSON result line (a library may print other lines); None at its end."""
    while raw := await stdout.readline():
        if raw.startswith(b"{"):
            parsed: dict[str, Any] = json.loads(raw)
            return parsed
    return None


async def run_pipelines_child(data_dir: Path, first_day: str | None = None,
                              progress: Say | None = None) -> bool:
    """``cpo pipelines run`` as a child process, its lines to ``progress``; True if it succeeded."""
    args = [sys.executable, "-m", "workbench.cli", "pipelines", "run", "--data-dir",
            str(data_dir)]
    if first_day is not None:
        args += ["--from", first_day]
    out = asyncio.subprocess.PIPE if progress is not None else asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=out, stderr=asyncio.subprocess.STDOUT
    )
    if progress is not None and proc.stdout is not None:
        async for raw in proc.stdout:
            progress(raw.decode(errors="replace").rstrip())
    return await proc.wait() == 0
