"""Closed-loop OCPP 1.6J load generator, run in its own process.

N charge points (``--clients``, default 50) each open one WebSocket (subprotocol ocpp1.6) to
``URL/CP-BENCH-<i>``, send a BootNotification, then keep exactly one CALL in flight: a realistic
MeterValues (2-4 sampled values, transactionId, timestamp) or, every ``--heartbeat-every``-th
call, a Heartbeat; wait for the answer, record the latency, repeat. The clock starts when every
client is connected and booted; the first ``--warmup`` seconds are not measured, then
``--seconds`` are. At the end each client waits for its last answer, so every CALL sent is
either answered or counted as an error.

    uv run python bench/load_gen.py --url ws://127.0.0.1:9000/ocpp [--clients 50]
        [--seconds 10] [--warmup 2] [--server-pid PID] [--json]

Lean on purpose: the ``websockets`` asyncio client directly, frames built from f-string
templates, answers parsed with orjson. With ``--server-pid`` it also reads the server's CPU time
(per thread: event loop vs the rest) over the measured window, which is less noisy than
throughput on a shared machine.

Output (``--json``): one JSON object on stdout, see ``LoadResult``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

MAX_CALLS_PER_CLIENT = 10_000_000  # hard bound on every client loop besides the clock
ANSWER_TIMEOUT = 10.0

_BOOT = (
    '[2,"{uid}","BootNotification",{{"chargePointVendor":"BenchVendor",'
    '"chargePointModel":"LoadGen-22","chargePointSerialNumber":"SN-{i:05d}",'
    '"firmwareVersion":"1.2.3"}}]'
)
_HEARTBEAT = '[2,"{uid}","Heartbeat",{{}}]'
_SAMPLED = (
    '{{"value":"{energy:.1f}","context":"Sample.Periodic",'
    '"measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}}',
    '{{"value":"{power:.1f}","context":"Sample.Periodic","measurand":"Power.Active.Import",'
    '"location":"Outlet","unit":"W"}}',
    '{{"value":"{current:.2f}","context":"Sample.Periodic","measurand":"Current.Import",'
    '"phase":"L1","location":"Outlet","unit":"A"}}',
    '{{"value":"{voltage:.1f}","context":"Sample.Periodic","measurand":"Voltage",'
    '"phase":"L1-N","location":"Outlet","unit":"V"}}',
)
_METER = (
    '[2,"{uid}","MeterValues",{{"connectorId":1,"transactionId":{tx},'
    '"meterValue":[{{"timestamp":"{ts}","sampledValue":[{sampled}]}}]}}]'
)


@dataclass
class ClientStats:
    latencies: list[float] = field(default_factory=list)  # seconds, measured window only
    window_calls: int = 0
    sent: int = 0  # every CALL sent, boot and warm-up included
    answered: int = 0  # CALLRESULTs to them
    call_errors: int = 0  # CALLERROR answers
    other_errors: int = 0  # wrong id, timeout, connection lost
    sampled_values: int = 0  # in MeterValues that got a CALLRESULT
    by_action: dict[str, int] = field(default_factory=dict)  # answered, by action
    error_samples: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    clients: int
    connected: int
    seconds: float
    warmup: float
    window_calls: int
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: int  # call errors + other errors + failed connects
    call_errors: int
    other_errors: int
    connect_errors: int
    total_sent: int
    total_answered: int
    sampled_values: int
    by_action: dict[str, int]
    client_cpu_s: float  # this process, measured window
    server_cpu_s: float | None  # server process, measured window (all threads)
    server_main_cpu_s: float | None  # its main thread (the event loop)
    error_samples: list[str]


class Clock:
    """ISO timestamp string, recomputed at most once a second."""

    def __init__(self) -> None:
        self._sec = -1
        self._iso = ""

    def iso(self) -> str:
        now = int(time.time())
        if now != self._sec:
            self._sec = now
            self._iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return self._iso


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


class Client:
    def __init__(self, i: int, url: str, heartbeat_every: int, clock: Clock) -> None:
        self.i = i
        self.url = f"{url.rstrip('/')}/CP-BENCH-{i:05d}"
        self.heartbeat_every = heartbeat_every
        self.clock = clock
        self.stats = ClientStats()
        self.ws: ClientConnection | None = None
        self.seq = 0
        self.energy = 1000.0 * i
        self.tx = 100_000 + i

    def _error(self, what: str) -> None:
        self.stats.other_errors += 1
        if len(self.stats.error_samples) < 3:
            self.stats.error_samples.append(f"CP{self.i}: {what}")

    def next_frame(self) -> tuple[str, str, int]:
        """(uid, frame, sampled values in it)."""
        self.seq += 1
        uid = f"{self.i}-{self.seq}"
        if self.heartbeat_every and self.seq % self.heartbeat_every == 0:
            return uid, _HEARTBEAT.format(uid=uid), 0
        n = 2 + self.seq % 3  # 2, 3 or 4 sampled values
        self.energy += 3.2
        s = self.seq % 7
        values = {
            "energy": self.energy,
            "power": 7200.0 + 10 * s,
            "current": 31.0 + 0.1 * s,
            "voltage": 229.0 + 0.3 * s,
        }
        sampled = ",".join(t.format(**values) for t in _SAMPLED[:n])
        return uid, _METER.format(uid=uid, tx=self.tx, ts=self.clock.iso(), sampled=sampled), n

    async def call(self, uid: str, frame: str, action: str, sampled: int) -> bool:
        """Send one CALL and wait for its answer; False if the connection is no longer usable."""
        assert self.ws is not None
        st = self.stats
        st.sent += 1
        try:
            await self.ws.send(frame)
            reply = await asyncio.wait_for(self.ws.recv(), ANSWER_TIMEOUT)
        except (WebSocketException, OSError, TimeoutError) as exc:
            self._error(f"{action}: {type(exc).__name__} {exc}")
            return False
        msg = orjson.loads(reply)
        if msg[1] != uid:
            self._error(f"answer to {msg[1]!r} while waiting for {uid!r}")
            return False
        if msg[0] == 3:
            st.answered += 1
            st.sampled_values += sampled
            st.by_action[action] = st.by_action.get(action, 0) + 1
            return True
        st.call_errors += 1
        if len(st.error_samples) < 3:
            st.error_samples.append(f"CP{self.i}: CALLERROR {msg[2:4]}")
        return True

    async def open(self) -> bool:
        try:
            self.ws = await connect(
                self.url,
                subprotocols=[Subprotocol("ocpp1.6")],
                compression=None,
                ping_interval=None,
                open_timeout=30,
                close_timeout=5,
                max_size=65536,
            )
        except (WebSocketException, OSError, TimeoutError) as exc:
            self._error(f"connect: {type(exc).__name__} {exc}")
            return False
        return await self.call(
            f"{self.i}-boot", _BOOT.format(uid=f"{self.i}-boot", i=self.i), "BootNotification", 0
        )

    async def run(self, window: tuple[float, float, float]) -> None:
        start, end = window[0], window[1]
        stop = window[2]
        latencies = self.stats.latencies
        perf = time.perf_counter
        for _ in range(MAX_CALLS_PER_CLIENT):
            t0 = perf()
            if t0 >= stop:
                break
            uid, frame, n = self.next_frame()
            ok = await self.call(uid, frame, "Heartbeat" if n == 0 else "MeterValues", n)
            if not ok:
                break
            t1 = perf()
            if start <= t1 <= end and t0 >= start:
                latencies.append(t1 - t0)
                self.stats.window_calls += 1

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(WebSocketException, OSError, TimeoutError):
                await asyncio.wait_for(self.ws.close(), 10)


def _proc_cpu(pid: int) -> tuple[float, float] | None:
    """(all threads, main thread) CPU seconds of another process, from /proc."""
    try:
        import psutil

        p = psutil.Process(pid)
        total = p.cpu_times()
        main = next((t for t in p.threads() if t.id == pid), None)
        main_s = (main.user_time + main.system_time) if main else float("nan")
        return total.user + total.system, main_s
    except Exception:
        return None


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def run(
    url: str,
    clients: int,
    seconds: float,
    warmup: float,
    heartbeat_every: int,
    server_pid: int | None,
    connect_concurrency: int = 50,
) -> LoadResult:
    clock = Clock()
    pool = [Client(i, url, heartbeat_every, clock) for i in range(clients)]
    gate = asyncio.Semaphore(connect_concurrency)

    async def opened(c: Client) -> bool:
        async with gate:
            return await c.open()

    ok = await asyncio.wait_for(asyncio.gather(*(opened(c) for c in pool)), 60)
    live = [c for c, good in zip(pool, ok, strict=True) if good]
    t0 = time.perf_counter()
    win = (t0 + warmup, t0 + warmup + seconds, t0 + warmup + seconds)
    tasks = [asyncio.ensure_future(c.run(win)) for c in live]

    await asyncio.sleep(max(0.0, win[0] - time.perf_counter()))
    cpu0, srv0 = _own_cpu(), (_proc_cpu(server_pid) if server_pid else None)
    await asyncio.sleep(max(0.0, win[1] - time.perf_counter()))
    cpu1, srv1 = _own_cpu(), (_proc_cpu(server_pid) if server_pid else None)
    await asyncio.wait_for(asyncio.gather(*tasks), ANSWER_TIMEOUT + 5)
    await asyncio.wait_for(asyncio.gather(*(c.close() for c in live)), 20)

    stats = [c.stats for c in pool]
    lat = sorted(x for s in stats for x in s.latencies)
    window_calls = sum(s.window_calls for s in stats)
    by_action: dict[str, int] = {}
    for s in stats:
        for k, v in s.by_action.items():
            by_action[k] = by_action.get(k, 0) + v
    call_err = sum(s.call_errors for s in stats)
    other_err = sum(s.other_errors for s in stats)
    connect_err = clients - len(live)
    return LoadResult(
        clients=clients,
        connected=len(live),
        seconds=seconds,
        warmup=warmup,
        window_calls=window_calls,
        calls_per_s=window_calls / seconds,
        p50_ms=quantile(lat, 0.50) * 1e3,
        p99_ms=quantile(lat, 0.99) * 1e3,
        mean_ms=(sum(lat) / len(lat) * 1e3) if lat else float("nan"),
        errors=call_err + other_err,
        call_errors=call_err,
        other_errors=other_err,
        connect_errors=connect_err,
        total_sent=sum(s.sent for s in stats),
        total_answered=sum(s.answered for s in stats),
        sampled_values=sum(s.sampled_values for s in stats),
        by_action=by_action,
        client_cpu_s=cpu1 - cpu0,
        server_cpu_s=(srv1[0] - srv0[0]) if srv0 and srv1 else None,
        server_main_cpu_s=(srv1[1] - srv0[1]) if srv0 and srv1 else None,
        error_samples=[e for s in stats for e in s.error_samples][:10],
    )


def run_loop(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="ws://HOST:PORT/ocpp (charger id appended)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument(
        "--heartbeat-every",
        type=int,
        default=10,
        help="every Nth call is a Heartbeat, the rest MeterValues (0: none)",
    )
    ap.add_argument("--server-pid", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = run_loop(
        run(
            args.url, args.clients, args.seconds, args.warmup, args.heartbeat_every, args.server_pid
        )
    )
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        r = result
        print(
            f"{r.connected}/{r.clients} clients, {r.calls_per_s:,.0f} calls/s, "
            f"p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms, errors {r.errors + r.connect_errors}"
            f", answered {r.total_answered}/{r.total_sent}, pid {os.getpid()}"
        )
        for e in r.error_samples:
            print("  ", e, file=sys.stderr)
    return 0 if result.errors == 0 and result.connect_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
