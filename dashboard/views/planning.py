"""Site planning: hour-of-week heatmap, site ranking with saturation, growth, where to add."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import advice
from dashboard.context import current
from dashboard.queries import planning as q
from dashboard.ui import chart, need, now_caption

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Site planning")
now_caption(ctx)

if need(ctx, "usage_port_hourly", "usage_ports"):
    how = q.hour_of_week(run, f)
    grid = how.pivot(index="local_dow", columns="local_hour", values="share").fillna(0) * 100
    grid.index = [DAYS[int(d) - 1] for d in grid.index]
    fig = px.imshow(
        grid,
        aspect="auto",
        color_continuous_scale="YlOrRd",
        labels={"x": "local hour", "y": "", "color": "% of port time in use"},
        title="Utilisation by hour of week (% of port time in a session)",
    )
    chart(fig)

if need(ctx, "utilisation_port_daily", "utilisation_hour_of_week"):
    truth = ctx.settings.folder.sim_truth_file
    ranking = q.site_ranking(run, f, truth if truth.is_file() else None)
    st.subheader("Sites ranked by saturation")
    st.caption(
        "Saturation = share of the time every port of the site was in a session, so a "
        "driver arriving then had to wait or leave: the observable stand-in for "
        "turned-away demand (the lake never sees a driver who left). It covers the whole "
        "period of the warehouse, not only the date range."
        + (
            " 'turned away' comes from the simulator's truth file, which a real "
            "network does not have."
            if truth.is_file()
            else ""
        )
    )
    cfg = {
        "sessions_per_day": st.column_config.NumberColumn("sessions / day", format="%.1f"),
        "time_util": st.column_config.NumberColumn("time utilisation", format="percent"),
        "energy_util": st.column_config.NumberColumn("energy utilisation", format="percent"),
        "saturation": st.column_config.NumberColumn("saturation", format="percent"),
        "saturated_h_week": st.column_config.NumberColumn("saturated h / week", format="%.1f"),
        "turned_away": st.column_config.NumberColumn("turned away (simulator truth)"),
    }
    shown = ranking if truth.is_file() else ranking.drop(columns=["turned_away"])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=cfg)

    st.subheader("Where to add ports or sites")
    recs = advice.recommend(ranking)
    if not recs:
        st.success("No site is saturated or busy enough to need more ports.")
    for site, what, why in recs:
        st.markdown(f"- **{site}: {what}**, because {why}.")

if need(ctx, "utilisation_port_daily"):
    weekly = q.growth(run, f)
    fig = px.line(
        weekly,
        x="week",
        y="sessions",
        color="site_id",
        markers=True,
        title="Sessions per week by site",
    )
    chart(fig)
