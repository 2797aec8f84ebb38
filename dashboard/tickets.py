"""The maintenance ticket queue on the reliability page: every active ticket (open, dispatched,
on site) from the ``tickets`` mart, oldest first, with its age, charger, port and reason.
Read-only: operators move tickets with ``cpo tickets update`` / ``close``. Ages count from the
wall clock, not the data's end: a ticket is a live errand, even on a historical folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.context import Context
from dashboard.warehouse import Runner

ACTIVE = ("open", "dispatched", "on_site")


def queue(run: Runner, now: datetime) -> pd.DataFrame:
    frame = run(
        """
        SELECT ticket_id, state, charge_point_id, port, created_at, created_by, trigger, reason,
               (epoch(?::TIMESTAMPTZ) - epoch(created_at)) / 3600.0 AS age_h,
               (epoch(?::TIMESTAMPTZ) - epoch(updated_at)) / 3600.0 AS in_state_h
        FROM tickets WHERE state IN ('open', 'dispatched', 'on_site')
        ORDER BY created_at, ticket_id""",
        (now, now),
    )
    frame["reason"] = [_reason(t, r) for t, r in zip(frame["trigger"], frame["reason"],
                                                     strict=True)]
    return frame.drop(columns=["trigger"])


def _reason(trigger: str, reason: str | None) -> str:
    """The trigger and the facts behind it in a line: codes, ports, a note."""
    try:
        doc = json.loads(reason or "{}")
    except ValueError:
        doc = {}
    facts = [f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}"
             for k, v in doc.items() if k in ("codes", "note", "probability")]
    return "; ".join([trigger, *facts])


def show(ctx: Context) -> None:
    st.subheader("Maintenance tickets")
    if "tickets" not in ctx.tables:
        st.caption("No tickets yet (marts/tickets.parquet appears with the next pipelines run).")
        return
    found = queue(ctx.run, datetime.now(UTC))
    counts = found["state"].value_counts()
    st.write(", ".join(f"{s}: {counts.get(s, 0)}" for s in ACTIVE))
    if found.empty:
        st.caption("No ticket waiting for field service.")
        return
    st.caption("Move them with `cpo tickets update ID --state ...` and `cpo tickets close`.")
    st.dataframe(
        found,
        hide_index=True,
        width="stretch",
        column_config={
            "age_h": st.column_config.NumberColumn("age (h)", format="%.1f"),
            "in_state_h": st.column_config.NumberColumn("in state (h)", format="%.1f"),
        },
    )
