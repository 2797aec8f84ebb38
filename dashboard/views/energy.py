"""Energy: site load (15-minute averages, as the utility meters demand) against each site's
grid connection limit, the month's peak and its demand charge, and the margin after it."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import fmt
from dashboard.context import current
from dashboard.queries import energy as q
from dashboard.ui import chart, need, now_caption

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Energy")
now_caption(ctx)

if need(ctx, "site_load_15min", "site_demand_charges"):
    load = q.load(run, f)
    months = q.months(run, f)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Highest 15-min load", "-" if load.empty else f"{load['kw'].max():,.1f} kW")
    c2.metric("Intervals over limit", fmt.count(int(load["over_limit"].sum())))
    c3.metric("Demand charges", fmt.money(months["demand_charge_usd"].sum()))
    c4.metric("Margin after demand", fmt.money(months["margin_after_demand"].sum()))
    st.caption("Limits from `cpo sites set-limit`; demand charge = the month's highest 15-minute "
               "load x the utility tariff's $/kW. Money in USD excluding VAT.")
    if not load.empty:
        fig = px.line(load, x="interval_start", y="kw", color="site_id",
                      title="Site load, 15-minute average (kW)")
        for site, limit in load.dropna(subset=["grid_limit_kw"]).groupby("site_id")[
                "grid_limit_kw"].max().items():
            fig.add_hline(y=float(limit), line_dash="dash", annotation_text=f"{site} limit")
        chart(fig)
    st.subheader("Monthly peaks")
    st.dataframe(months, hide_index=True)
