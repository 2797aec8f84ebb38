"""CPU cost of the CSMS's own per-CALL work, without sockets: ``ChargerConnection.on_frame``.

    uv run python bench/bench_on_frame.py [--calls 20000]

Feeds the same frames load_gen.py sends (MeterValues with 2-4 sampled values, every 10th a
Heartbeat) straight into ``on_frame`` of a real Hub/LakeLog/LakeWriter (temp data dir; flush
interval long enough that no flush runs while measuring), and times the pieces of the path
separately. Unlike cProfile, this does not inflate code made of many small Python calls, so it
is the figure to use when deciding what to optimise. Compare with bench_csms's server CPU per
call: the rest is websockets framing, the event loop and the kernel (the echo server pays those
too).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_gen import Client, Clock

from csms_lite.clock import SystemClock
from csms_lite.config import CsmsConfig
from csms_lite.handlers import v16
from csms_lite.handlers.context import CallContext
from csms_lite.registry.store import Registry
from csms_lite.rpc import frames, validation
from csms_lite.server.connection import ChargerConnection
from csms_lite.server.hub import Hub
from csms_lite.server.lake_log import LakeLog
from csms_lite.versions import V16
from ingest.data_folder import DataFolder
from ingest.lake.writer import LakeWriter


def make_frames(n: int) -> list[str]:
    c = Client(1, "ws://127.0.0.1/ocpp", 10, Clock())
    return [c.next_frame()[1] for _ in range(n)]


def per_call(fn: Callable[[Any], object], items: list[Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for x in items:
            fn(x)
        best = min(best, time.perf_counter() - t0)
    return best / len(items) * 1e6


def connection(data_dir: Path, log_frames: bool) -> tuple[ChargerConnection, LakeWriter]:
    config = CsmsConfig(
        data_dir=data_dir,
        accept_unknown=True,
        rate_limit=0,
        log_frames=log_frames,
        flush_interval=3600,
        node_id="bench",
    )
    folder = DataFolder(data_dir)
    writer = LakeWriter(folder.local_lake, "bench", flush_interval=3600, enabled=log_frames)
    writer.start()
    registry = Registry(folder.registry_file)
    hub = Hub(config, SystemClock(), registry, LakeLog(writer, "bench"))
    conn = ChargerConnection(None, hub, hub.charger("CP-1"), V16, "127.0.0.1:1")  # type: ignore[arg-type]
    hub.attach(conn)
    return conn, writer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20_000)
    args = ap.parse_args(argv)
    texts = make_frames(args.calls)
    parsed = [frames.parse(t) for t in texts]
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for log_frames in (True, False):
            conn, writer = connection(Path(tmp) / f"log-{log_frames}", log_frames)
            results.append(
                (
                    f"on_frame, whole path ({'logged' if log_frames else '--no-log'})",
                    per_call(conn.on_frame, texts),
                )
            )
            if log_frames:
                lake = conn.hub.lake
                rows = []
                for f in parsed:
                    ctx = CallContext(
                        conn.charger,
                        conn.hub.registry,
                        conn.hub.config,
                        time.time(),
                        f.unique_id,
                    )
                    answer = v16.HANDLERS[f.action or ""](ctx, f.payload)
                    rows.append(
                        [
                            lake.message(
                                1.0, "CP-1", "c", "in", "1.6", 2, f.unique_id, f.action,
                                f.payload,
                            ),
                            lake.message(
                                1.0,
                                "CP-1",
                                "c",
                                "out",
                                "1.6",
                                3,
                                f.unique_id,
                                f.action,
                                answer,
                                latency_ms=0.1,
                            ),
                        ]
                    )
                results.append(
                    ("  lake.write (journal line + os.write)", per_call(lake.write, rows))
                )
            writer.close()
            conn.hub.registry.close()
        results.append(("  frames.parse (orjson + shape checks)", per_call(frames.parse, texts)))
        results.append(
            (
                "  validation.validate (compiled schemas)",
                per_call(
                    lambda f: validation.validate(V16, f.action, f.payload, request=True), parsed
                ),
            )
        )
        conn, writer = connection(Path(tmp) / "handlers", False)
        now = time.time()

        def handle(f: frames.Frame) -> object:
            ctx = CallContext(
                conn.charger, conn.hub.registry, conn.hub.config, now, f.unique_id
            )
            return v16.HANDLERS[f.action or ""](ctx, f.payload)

        results.append(("  handler (state updates, currentTime)", per_call(handle, parsed)))
        writer.close()
        conn.hub.registry.close()
    print(f"{args.calls:,} frames (90 % MeterValues with 2-4 sampled values, 10 % Heartbeat)\n")
    print(f"{'step':<48} {'us/call':>8}")
    for name, us in results:
        print(f"{name:<48} {us:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
