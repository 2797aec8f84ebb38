"""Energy: each site's 15-minute load against its grid limit, and monthly peaks with their
demand charges and the margin after them."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.warehouse import Runner


def load(run: Runner, f: Filters) -> pd.DataFrame:
    cond, params = f.where(date_col=None, ts_col="interval_start")
    return run(
        "SELECT site_id, interval_start, kw, grid_limit_kw, over_limit FROM site_load_15min "
        f"WHERE {cond} ORDER BY site_id, interval_start",
        params,
    )


def months(run: Runner, f: Filters) -> pd.DataFrame:
    """Site-months overlapping the date range."""
    cond, params = f.where(date_col=None)
    return run(
        "SELECT site_id, month, peak_kw, peak_at, demand_charge_usd, margin, margin_after_demand "
        f"FROM site_demand_charges WHERE {cond} AND month <= ? AND month >= "
        "date_trunc('month', ?::DATE) ORDER BY month, site_id",
        [*params, f.end, f.start],
    )
