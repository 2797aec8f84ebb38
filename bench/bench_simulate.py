"""How fast the fleet simulator runs a network through the real CSMS, against a baseline taken
in the same process: the same number of bare ``ocpp`` clients sending Heartbeats to the same
kind of CSMS as fast as they can. The ratio (simulation calls/s / bare calls/s) is the share of
the transport's capacity the simulation keeps; absolute figures drift on shared machines.

    uv run python bench/bench_simulate.py                 # 100 chargers x 30 days (target <= 5 min)
    uv run python bench/bench_simulate.py --chargers 20 --days 5
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from csms_lite.registry.models import ChargePoint
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.context import SimSettings
from ingest.sim.link import listen, open_link
from ingest.sim.profile import load_default
from workbench.runs.sim_csms import SimCsms
from workbench.runs.simulate import SimulateJob, simulate

TARGET_S = 300.0  # the target for 100 chargers x 30 days


async def bare_calls_per_s(data_dir: Path, clients: int, calls_each: int) -> float:
    """Heartbeats from ``clients`` concurrent bare clients through a CSMS on a manual clock."""
    csms = SimCsms(data_dir, "bare", time.time())
    await csms.start()
    try:
        for i in range(clients):
            csms.server.registry.add_charge_point(ChargePoint(id=f"BARE{i:04d}"))
        cps = [SimChargePoint16(f"BARE{i:04d}", await open_link(csms.url, f"BARE{i:04d}",
                                                                "ocpp1.6"))
               for i in range(clients)]
        tasks = [asyncio.get_running_loop().create_task(listen(cp)) for cp in cps]

        async def beat(cp: SimChargePoint16) -> None:
            for _ in range(calls_each):
                await cp.heartbeat()

        started = time.perf_counter()
        await asyncio.gather(*(beat(cp) for cp in cps))
        wall = time.perf_counter() - started
        for cp in cps:
            await cp._connection.close()
        await asyncio.gather(*tasks)
    finally:
        await csms.stop()
    return clients * calls_each / wall


async def main(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    try:
        bare = await bare_calls_per_s(root / "bare", args.chargers, args.bare_calls)
        settings = SimSettings(data_dir=root / "sim", sites=args.sites, chargers=args.chargers,
                               days=args.days, seed=args.seed)
        lines: list[str] = []
        started = time.perf_counter()
        run = await simulate(SimulateJob(settings, load_default()), lines.append)
        total = time.perf_counter() - started
        bare_after = await bare_calls_per_s(root / "bare2", args.chargers, args.bare_calls)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    baseline = (bare + bare_after) / 2
    print(f"network: {args.sites} sites, {args.chargers} chargers, {args.days:g} days, "
          f"seed {args.seed}")
    print(f"bare ocpp clients -> CSMS: {bare:,.0f} / {bare_after:,.0f} calls/s (before/after)")
    print(f"simulation: {run.calls:,} calls, {run.stats.sessions:,} sessions, "
          f"{run.stats.faults} faults in {run.wall_s:,.1f} s ({total:,.1f} s with setup)")
    print(f"  {run.calls_per_s:,.0f} calls/s = {run.calls_per_s / baseline:.2f} x bare")
    print(f"  {args.days / (run.wall_s / 60):,.1f} simulated days per real minute")
    scaled = total * (100 / args.chargers) * (30 / args.days)
    verdict = "PASS" if scaled <= TARGET_S else "FAIL"
    print(f"  30 days x 100 chargers, scaled from this run: {scaled:,.0f} s "
          f"(target <= {TARGET_S:.0f} s) {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--chargers", type=int, default=100)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bare-calls", type=int, default=100, help="heartbeats per bare client")
    asyncio.run(main(parser.parse_args()))
