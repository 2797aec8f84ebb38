"""Network overview: uptime against the NEVI line, chargers now, today vs last week, map,
open alerts."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import fmt
from dashboard.context import current
from dashboard.live import live_panel
from dashboard.queries import overview as q
from dashboard.ui import chart, need, nevi_line, now_caption, revenue_caption
from pipelines.nevi import NEVI_TARGET_LABEL, NEVI_UPTIME_THRESHOLD_PCT

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Network overview")
now_caption(ctx)
live_panel(ctx.settings)

if need(ctx, "port_uptime_monthly"):
    u = q.uptime(run, f).iloc[0]
    c1, c2, c3 = st.columns(3)
    pct = u["uptime_pct"]
    delta = f"{pct - NEVI_UPTIME_THRESHOLD_PCT:+.2f} pts vs {NEVI_TARGET_LABEL}"
    c1.metric("NEVI uptime", fmt.pct(pct, 2), delta=None if pd.isna(pct) else delta)
    c2.metric(f"Ports below {NEVI_TARGET_LABEL}",
              f"{fmt.count(u['ports_below'])} of {fmt.count(u['ports'])}")
    months = q.uptime_by_month(run, f)
    c3.metric("Months in range", fmt.count(len(months)))

states = None
if need(ctx, "charger_connectivity_intervals", "connector_status_intervals"):
    states = q.chargers_now(run, f)
    counts = states["state"].value_counts()
    st.subheader("Chargers now")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Online", fmt.count(counts.get("online", 0)))
    c2.metric("Offline", fmt.count(counts.get("offline", 0)))
    c3.metric("Faulted", fmt.count(counts.get("faulted", 0)))
    c4.metric("Chargers", fmt.count(len(states)))
    recent = states[
        (states["state"] == "offline")
        & ((ctx.span.now - states["since"]).dt.total_seconds() < 15 * 60)
    ]
    if len(recent):
        st.caption(
            f"{len(recent)} charger(s) went offline in the last 15 minutes of the data: "
            "if that is where the recording stopped, they may just have been switched off."
        )

if need(ctx, "session_charges"):
    end_of_day = datetime.combine(f.end, time.max, tzinfo=UTC)
    now = min(ctx.span.now, end_of_day)
    tw = q.today_vs_last_week(run, f, now).set_index("day")
    if "today" in tw.index:
        today = tw.loc["today"]
        week = tw.loc["last_week"] if "last_week" in tw.index else None
        st.subheader(f"Today ({today['today']:%a %d %b}) so far vs the same time last week")
        c1, c2, c3 = st.columns(3)
        for col, label, key, show in (
            (c1, "Sessions", "sessions", fmt.count),
            (c2, "Energy", "kwh", fmt.kwh),
            (c3, "Revenue", "revenue", fmt.money),
        ):
            before = None if week is None else week[key]
            col.metric(label, show(today[key]), delta=fmt.delta_pct(today[key], before))
        revenue_caption(ctx)
    else:
        st.info("No finished sessions in the range.")

if need(ctx, "port_uptime_monthly", "dim_sites") and states is not None:
    left, right = st.columns(2)
    with left:
        months = q.uptime_by_month(run, f)
        fig = px.line(
            months, x="month", y="uptime_pct", markers=True, title="Network uptime by month (%)"
        )
        fig.update_yaxes(title="uptime %")
        low = min(95.0, float(months["uptime_pct"].min() or 95.0) - 0.5)
        fig.update_yaxes(range=[low, 100.2])
        chart(nevi_line(fig))
    with right:
        # Tiles come from the internet; without them the plain background still shows the dots.
        tiles = st.toggle("Street map (needs internet)", value=False, key="map_tiles")
        sites = q.site_health(run, f, states)
        colours = {"healthy": "green", "chargers down now": "orange", q.BELOW: "red"}
        common = {
            "color": "health",
            "size": "ports",
            "hover_name": "name",
            "color_discrete_map": colours,
            "hover_data": {"site_id": True, "uptime_pct": ":.2f", "chargers_down": True},
            "title": "Sites by health",
        }
        if tiles:
            fig = px.scatter_map(
                sites, lat="latitude", lon="longitude", zoom=8, map_style="carto-positron", **common
            )
        else:
            # A plain lon/lat plot: needs neither tiles nor WebGL, so it shows everywhere.
            fig = px.scatter(sites, x="longitude", y="latitude", text="site_id", **common)
            fig.update_traces(textposition="top center")
            fig.update_yaxes(scaleanchor="x", scaleratio=1.2)
        chart(fig)

if need(ctx, "outages"):
    alerts = q.open_alerts(run, f)
    st.subheader(f"Open alerts ({len(alerts)})")
    if alerts.empty:
        st.success("No open outage at the end of the data.")
    else:
        st.dataframe(
            alerts,
            hide_index=True,
            width="stretch",
            column_config={
                "since": st.column_config.DatetimeColumn("since (UTC)", format="YYYY-MM-DD HH:mm"),
                "minutes": st.column_config.NumberColumn("open for (min)", format="%.0f"),
            },
        )
