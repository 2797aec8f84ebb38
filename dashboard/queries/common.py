"""What every page needs: the data's time span (its "now") and the filter choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from dashboard.warehouse import Runner


@dataclass(frozen=True)
class Span:
    first: date
    last: date
    now: datetime  # the end of the data, not the wall clock: the folder may be historical


def columns(run: Runner, table: str) -> set[str]:
    """A mart's columns (a mart written by an older build may lack the newer ones)."""
    return set(run(f"SELECT * FROM {table} LIMIT 0", []).columns)


def span(run: Runner, tables: set[str]) -> Span | None:
    """First and last local day with usage data, and the latest time any mart reaches."""
    if "utilisation_site_daily" in tables:
        days = run(
            "SELECT min(local_date) AS a, max(local_date) AS b FROM utilisation_site_daily", ()
        )
    elif "sessions" in tables:
        days = run("SELECT min(start_date) AS a, max(start_date) AS b FROM sessions", ())
    else:
        return None
    if days.empty or pd.isna(days.at[0, "a"]):
        return None
    if "port_state_intervals" in tables:
        now = run("SELECT max(to_at) AS t FROM port_state_intervals", ()).at[0, "t"]
    else:
        now = run("SELECT max(coalesce(end_at, start_at)) AS t FROM sessions", ()).at[0, "t"]
    first, last = pd.Timestamp(days.at[0, "a"]).date(), pd.Timestamp(days.at[0, "b"]).date()
    return Span(first=first, last=last, now=pd.Timestamp(now).to_pydatetime())


def choices(run: Runner, tables: set[str]) -> tuple[list[str], list[str]]:
    """All site ids and charger models, for the sidebar."""
    if "dim_chargers" not in tables:
        return [], []
    sites = run(
        "SELECT DISTINCT site_id FROM dim_chargers WHERE site_id IS NOT NULL ORDER BY 1", ()
    )
    models = run("SELECT DISTINCT model FROM dim_chargers WHERE model IS NOT NULL ORDER BY 1", ())
    return list(sites["site_id"]), list(models["model"])
