"""Partners: usage and money per roaming partner, and their reports to download."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import fmt, reports
from dashboard.context import current
from dashboard.queries import pricing as q
from dashboard.ui import chart, need, now_caption, revenue_caption

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Partners")
now_caption(ctx)

if need(ctx, "session_charges", "partners"):
    usage = q.by_partner(run, f)
    st.dataframe(
        usage,
        hide_index=True,
        width="stretch",
        column_config={
            "kwh": st.column_config.NumberColumn("kWh", format="%.0f"),
            "revenue": st.column_config.NumberColumn("revenue ($)", format="%.2f"),
            "roaming_fee": st.column_config.NumberColumn("roaming fee ($)", format="%.2f"),
            "margin": st.column_config.NumberColumn("margin ($)", format="%.2f"),
        },
    )
    revenue_caption(ctx)
    top = usage.iloc[0] if len(usage) else None
    if top is not None:
        st.caption(
            f"Largest partner by revenue: {top['name']} with {fmt.count(top['sessions'])} "
            f"sessions and {fmt.money(top['revenue'])}."
        )
    months = q.partner_months(run, f)
    chart(px.bar(months, x="month", y="sessions", color="partner", title="Sessions per month"))

st.subheader("Reports")
found = reports.listing(ctx.settings.outbox_dir)
if not found:
    st.caption(
        f"No partner reports yet (they appear under {ctx.settings.outbox_dir}/"
        "<partner>/<YYYY-MM>/ once written)."
    )
for i, rep in enumerate(found):
    c1, c2 = st.columns([4, 1])
    c1.write(f"{rep.partner} · {rep.month} · {rep.path.name} ({rep.size:,} bytes)")
    c2.download_button(
        "Download",
        data=rep.path.read_bytes(),
        file_name=rep.path.name,
        mime=reports.mime(rep.path),
        key=f"report_{i}",
    )
