"""Reliability: per-port uptime, outages, faults, predictions, self-healing, manual commands."""

from __future__ import annotations

import json

import plotly.express as px
import streamlit as st

from dashboard import fmt, tickets
from dashboard.command_panel import command_panel
from dashboard.context import current
from dashboard.model_in_use import model_caption
from dashboard.queries import reliability as q
from dashboard.queries.common import columns
from dashboard.ui import chart, need, nevi_line, now_caption
from pipelines.nevi import NEVI_TARGET_LABEL

ctx = current()
f, run = ctx.filters, ctx.run
st.title("Reliability")
now_caption(ctx)

if need(ctx, "port_uptime_monthly"):
    ports = q.port_uptime(run, f)
    st.subheader(f"Port uptime: {q.below_target(ports)} of {len(ports)} ports below "
                 f"{NEVI_TARGET_LABEL}")
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(
            ports,
            hide_index=True,
            width="stretch",
            height=320,
            column_config={
                "uptime_pct": st.column_config.NumberColumn("uptime %", format="%.2f"),
                "outage_min": st.column_config.NumberColumn("outage (min)", format="%.0f"),
                "excluded_min": st.column_config.NumberColumn("excluded (min)", format="%.0f"),
            },
        )
    with right:
        trend = q.site_trend(run, f)
        fig = px.line(
            trend,
            x="month",
            y="uptime_pct",
            color="site_id",
            markers=True,
            title="Uptime by site and month (%)",
        )
        chart(nevi_line(fig))

if need(ctx, "outages"):
    timeline = q.outage_timeline(run, f)
    st.subheader("Outage timeline (the 30 ports with the most outage minutes)")
    if timeline.empty:
        st.success("No outage in the range.")
    else:
        fig = px.timeline(
            timeline,
            x_start="start_at",
            x_end="end_at",
            y="port_id",
            color="cause",
            hover_data=["error_code", "duration_min", "excluded"],
        )
        fig.update_yaxes(autorange="reversed", title=None)
        chart(fig)

if need(ctx, "faults"):
    faults = q.faults_by_code(run, f)
    st.subheader(f"Faults by error code and model ({fmt.count(faults['faults'].sum())} faults)")
    if faults.empty:
        st.success("No fault in the range.")
    else:
        chart(px.bar(faults, x="error_code", y="faults", color="model", barmode="stack"))

st.subheader("Fault predictions")
if "predictions" not in ctx.tables:
    st.caption("No predictions yet (marts/predictions.parquet appears once models are scored).")
else:
    preds = q.predictions(run, f)
    if caption := model_caption(run):
        st.caption(caption)
    preds["top_features"] = [
        _s if not _s.startswith(("[", "{")) else ", ".join(map(str, json.loads(_s)))[:120]
        for _s in preds["top_features"].fillna("").astype(str)
    ]
    st.dataframe(
        preds,
        hide_index=True,
        width="stretch",
        column_config={
            "probability": st.column_config.ProgressColumn(
                "fault probability", min_value=0.0, max_value=1.0, format="%.2f"
            )
        },
    )

if "sessions" in ctx.tables and "quarantine_reason" in columns(run, "sessions"):
    held = q.quarantined(run, f)
    st.subheader(f"Quarantined sessions ({len(held)})")
    if len(held):
        st.caption("Implausible by the pipelines' rules (another charger's transaction, a "
                   "register going down, more energy or power than the charger's rating "
                   "allows): kept here for review, never billed or reported to partners.")
        st.dataframe(held, hide_index=True, width="stretch")
    else:
        st.caption("None: every session in the range passes the plausibility rules.")

st.subheader("Self-healing actions")
if "self_healing_actions" not in ctx.tables:
    st.caption("No self-healing actions yet (marts/self_healing_actions.parquet).")
else:
    actions = q.self_healing(run, f)
    outcomes = actions["outcome"].fillna("unknown").value_counts()
    st.write(", ".join(f"{k}: {v}" for k, v in outcomes.items()) or "none in the range")
    st.dataframe(actions, hide_index=True, width="stretch", height=260)

tickets.show(ctx)

command_panel(ctx)
