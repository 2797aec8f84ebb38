"""Fit the simulator's profile from the real data and write it as JSON.

    python -m ingest.sim.fit_profile ../shared/data/acn_caltech_sessions_2020-2021.json \\
        ../shared/data/sb_county_daily_2020-2024.csv ingest/sim/profile.json

regenerates the profile shipped in the package (see docs/simulator-calibration.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.replay.errors import ReplayError
from ingest.sim.fit_demand import fit_demand
from ingest.sim.fit_faults import fit_faults
from ingest.sim.profile import SimProfile

USAGE = "usage: python -m ingest.sim.fit_profile ACN_JSON SB_CSV OUT_JSON"


def fit_profile(acn_path: Path, sb_path: Path) -> SimProfile:
    return SimProfile(demand=fit_demand(acn_path, sb_path), faults=fit_faults(sb_path))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(USAGE, file=sys.stderr)
        return 2
    acn, sb, out = (Path(a) for a in args)
    try:
        profile = fit_profile(acn, sb)
    except (OSError, ValueError, ReplayError) as exc:
        print(f"fit_profile: {exc}", file=sys.stderr)
        return 1
    out.write_text(profile.to_json(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
