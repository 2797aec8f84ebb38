"""Small pieces every page uses: notes for missing marts, the "now" caption, the 97 % line."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.context import Context
from dashboard.queries.pricing import revenue_sources
from dashboard.revenue_note import revenue_note
from pipelines.nevi import NEVI_TARGET_LABEL, NEVI_UPTIME_THRESHOLD_PCT


def need(ctx: Context, *names: str) -> bool:
    """True when every mart is there; else one line saying which is missing and how to build."""
    missing = [n for n in names if n not in ctx.tables]
    if missing:
        st.info(
            f"Needs the mart(s) {', '.join(missing)}: run "
            f"`cpo pipelines run --data-dir {ctx.settings.data_dir}` to build them."
        )
    return not missing


def now_caption(ctx: Context) -> None:
    f = ctx.filters
    st.caption(
        f"“Now” is the end of the data, {ctx.span.now:%Y-%m-%d %H:%M} UTC, not the wall clock. "
        f"Range {f.start} to {f.end} ({f.days} days)"
        + (f", sites {', '.join(f.sites)}" if f.sites else "")
        + (f", models {', '.join(f.models)}" if f.models else "")
        + "."
    )


def revenue_caption(ctx: Context) -> None:
    """Says whether the revenue shown is the session file's or an estimate from the tariff."""
    note = revenue_note(revenue_sources(ctx.run, ctx.filters))
    if note:
        st.caption(note)


def nevi_line(fig: go.Figure) -> go.Figure:
    fig.add_hline(
        y=NEVI_UPTIME_THRESHOLD_PCT,
        line_dash="dash",
        line_color="red",
        annotation_text=f"NEVI {NEVI_TARGET_LABEL}",
        annotation_position="bottom right",
    )
    return fig


def chart(fig: go.Figure) -> None:
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    st.plotly_chart(fig, width="stretch")
