"""Pricing insights: revenue, energy cost, margin by site and hour; idle fees; partner mix;
a what-if on price and idle fee with the elasticity shown and adjustable."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import fmt, whatif
from dashboard.context import current
from dashboard.queries import pricing as q
from dashboard.ui import chart, need, now_caption, revenue_caption

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Pricing insights")
now_caption(ctx)

if need(ctx, "session_charges", "dim_sites", "partners"):
    sites = q.by_site(run, f)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Revenue", fmt.money(sites["revenue"].sum()))
    c2.metric("Energy cost", fmt.money(sites["energy_cost"].sum()))
    c3.metric("Roaming fees", fmt.money(sites["roaming_fee"].sum()))
    c4.metric("Margin", fmt.money(sites["margin"].sum()))
    revenue_caption(ctx)
    st.caption(
        "Energy cost uses the sites' real utility time-of-use tariffs, hour by hour; "
        "demand charges are not included. Money in USD excluding VAT."
    )
    left, right = st.columns(2)
    with left:
        long = sites.melt(id_vars="site_id", value_vars=["revenue", "energy_cost", "margin"])
        chart(
            px.bar(
                long,
                x="site_id",
                y="value",
                color="variable",
                barmode="group",
                title="By site (USD)",
            )
        )
    with right:
        hours = q.by_hour(run, f)
        long = hours.melt(id_vars="local_hour", value_vars=["revenue", "energy_cost", "margin"])
        chart(
            px.line(
                long,
                x="local_hour",
                y="value",
                color="variable",
                markers=True,
                title="By local hour of session start (USD)",
            )
        )

    idle = q.idle_fees(run, f).iloc[0]
    st.subheader("Idle fees")
    c1, c2, c3 = st.columns(3)
    c1.metric("Idle-fee revenue", fmt.money(idle["idle_fees"]))
    c2.metric("Share of revenue", fmt.pct(None if pd.isna(idle["share"]) else idle["share"] * 100))
    c3.metric(
        "Sessions that paid one",
        f"{fmt.count(idle['sessions_with_fee'])} of {fmt.count(idle['sessions'])}",
    )

    partners = q.by_partner(run, f)
    chart(px.pie(partners, names="name", values="revenue", title="Revenue by partner"))

    st.subheader("What if: change the price or the idle fee")
    base_rows = q.whatif_base(run, f)
    if base_rows.empty:
        st.info("No billed sessions in the range.")
    else:
        c1, c2, c3, c4, c5 = st.columns(5)
        site = c1.selectbox("Site", ["all in filter", *base_rows["site_id"]])
        price = c2.slider("Energy price change (%)", -50, 100, 10, step=5)
        fee = c3.slider("Idle fee change (%)", -90, 200, 0, step=10)
        e = c4.number_input("Price elasticity", -3.0, 0.0, whatif.DEFAULT_ELASTICITY, 0.1)
        ei = c5.number_input("Idle elasticity", -3.0, 0.0, whatif.DEFAULT_IDLE_ELASTICITY, 0.1)
        rows = base_rows if site == "all in filter" else base_rows[base_rows["site_id"] == site]
        cols = [c for c in base_rows.columns if c != "site_id"]
        base = whatif.Base(**{c: float(rows[c].sum()) for c in cols})
        new = whatif.project(base, price / 100, fee / 100, e, ei)
        st.caption(
            f"Assumption: sessions scale by (new price / old price)^{e:g} and idle "
            f"minutes by (new fee / old fee)^{ei:g} (constant elasticity); everything "
            "else per session stays as in the warehouse."
        )
        table = pd.DataFrame(
            {
                "": ["sessions", "revenue", "margin", "idle fees", "occupied hours"],
                "now": [
                    fmt.count(base.sessions),
                    fmt.money(base.revenue),
                    fmt.money(base.margin),
                    fmt.money(base.idle_fees),
                    fmt.count(base.occupied_min / 60),
                ],
                "projected": [
                    fmt.count(new.sessions),
                    fmt.money(new.revenue),
                    fmt.money(new.margin),
                    fmt.money(new.idle_fees),
                    fmt.count(new.occupied_min / 60),
                ],
                "change": [
                    fmt.delta_pct(n, b) or "–"
                    for n, b in (
                        (new.sessions, base.sessions),
                        (new.revenue, base.revenue),
                        (new.margin, base.margin),
                        (new.idle_fees, base.idle_fees),
                        (new.occupied_min, base.occupied_min),
                    )
                ],
            }
        )
        table["change"] = table["change"].str.replace(" vs last week", "", regex=False)
        st.table(table.set_index(""))
