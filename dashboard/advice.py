"""Where to add ports or sites, with the reason, from the per-site ranking.

Rules (simple on purpose, so the reason can be read and argued with):
- saturation >= 5 % of the time (every port busy: a driver arriving then must wait) -> add ports;
- time utilisation >= 35 % without much saturation yet -> watch, saturation is near;
- two or more saturated sites -> also look for a new site near the most saturated one;
- utilisation < 5 % -> do not expand there."""

from __future__ import annotations

import pandas as pd

SATURATED = 0.05
BUSY = 0.35
IDLE = 0.05


def recommend(ranking: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(site, recommendation, reason) rows, most urgent first."""
    out: list[tuple[str, str, str]] = []
    saturated = ranking[ranking["saturation"] >= SATURATED].sort_values(
        "saturation", ascending=False
    )
    for row in saturated.itertuples():
        out.append(
            (
                str(row.site_id),
                "add ports",
                f"every one of its {int(row.ports)} ports was busy {row.saturation:.0%} of "
                f"the time (~{row.saturated_h_week:.1f} h a week); "
                f"utilisation {row.time_util:.0%}",
            )
        )
    busy = ranking[(ranking["saturation"] < SATURATED) & (ranking["time_util"] >= BUSY)]
    for row in busy.itertuples():
        out.append(
            (
                str(row.site_id),
                "watch",
                f"utilisation {row.time_util:.0%} with saturation {row.saturation:.1%}: "
                "queues start soon",
            )
        )
    if len(saturated) >= 2:
        top = saturated.iloc[0]
        out.append(
            (
                str(top.site_id),
                "new site nearby",
                f"{len(saturated)} sites are saturated; the busiest, {top.site_id}, is "
                "the first place to relieve with a new site",
            )
        )
    idle = ranking[ranking["time_util"] < IDLE]
    for row in idle.itertuples():
        out.append((str(row.site_id), "do not expand", f"utilisation only {row.time_util:.1%}"))
    return out
